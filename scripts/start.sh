#!/usr/bin/env bash
# `npm start`: set-up, then the whole stack in the foreground (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --import tsx scripts/stack.ts

#!/usr/bin/env bash
# `npm test`: set-up, type check, then mocha. Mocha's global fixture
# (test/support/global.ts) starts a private PostgreSQL cluster (:55432) and an
# in-memory Temporal dev server (:7333) and stops both when the run ends, so a
# running demo (:5432, :7233) is left untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
EI_SETUP_TEST_SERVER=1 bash scripts/setup.sh
echo "[test] type check (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json
echo "[test] mocha"
# no arguments: every test; otherwise what was named (`npm test -- test/api`)
if [ $# -eq 0 ]; then set -- 'test/**/*.test.ts'; fi
exec npx mocha "$@"

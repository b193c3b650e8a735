#!/usr/bin/env bash
# `npm test`: set-up, type check, lint, format check, then mocha under c8 and a
# coverage summary per folder. Mocha's global fixture (test/support/global.ts)
# starts a private PostgreSQL cluster (:55432) and an in-memory Temporal dev
# server (:7333) and stops both when the run ends, so a running demo (:5432,
# :7233) is left untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
EI_SETUP_TEST_SERVER=1 EI_SETUP_FULL_TEMPORAL=1 bash scripts/setup.sh

# runs a step and says how long it took; a failing step ends the run
timed() {
  local what=$1 t0 rc=0
  shift
  t0=$(date +%s%N)
  echo "[test] $what"
  "$@" || rc=$?
  echo "[test] $what: $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s$([ "$rc" = 0 ] || echo ", FAILED ($rc)")"
  return "$rc"
}

timed 'type check (tsc --noEmit)' npx tsc --noEmit -p tsconfig.json
timed 'lint (eslint, cached in .ei/)' npm run --silent lint
timed 'format check (prettier, cached in .ei/)' npm run --silent format:check

# no arguments: every test; otherwise what was named (`npm test -- test/api`)
if [ $# -eq 0 ]; then set -- 'test/**/*.test.ts'; fi
# c8 collects V8 coverage from this process, the workers it runs in-process and
# the child processes it spawns; its exit code is mocha's
status=0
timed 'mocha (under c8)' npx c8 mocha "$@" || status=$?
summary=0
node --import tsx scripts/coverage-summary.ts || summary=$?
exit $((status != 0 ? status : summary))

#!/usr/bin/env bash
# Installs whatever is missing, idempotently, and says what it does:
# npm packages, the Prisma client, PostgreSQL (Debian), the Temporal CLI
# (built from source through the Go module proxy, cached outside the clone).
# A second run finds everything in place and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE_DIR="${EI_CACHE_DIR:-$HOME/.cache/endpoint-inventory}"
TEMPORAL_CLI_VERSION=1.5.1
TEMPORAL_BIN="${TEMPORAL_BIN:-$CACHE_DIR/temporal-v$TEMPORAL_CLI_VERSION/temporal}"
# the fault suite's fault proxy (scripts/lib/stack.ts TOXIPROXY_VERSION says the same)
TOXIPROXY_VERSION=2.12.0
TOXIPROXY_BIN="${TOXIPROXY_BIN:-$CACHE_DIR/toxiproxy-v$TOXIPROXY_VERSION/toxiproxy-server}"
mkdir -p "$CACHE_DIR" .ei

t0=$(date +%s)
step() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
apt_ready=
apt_install() {
  if [ "$(id -u)" != 0 ]; then fail "need $* from Debian's packages: run as root or install them (apt-get install -y $*)"; fi
  if [ -z "$apt_ready" ]; then step "apt-get update"; apt-get update -qq; apt_ready=1; fi
  step "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Node.js and npm packages -------------------------------------------------
command -v node >/dev/null || apt_install nodejs npm
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node.js >= 20.19 is required (found $(node --version))"
lock_hash=$(sha256sum package-lock.json | cut -c1-64)
if [ ! -f node_modules/.ei-lock-hash ] || [ "$(cat node_modules/.ei-lock-hash)" != "$lock_hash" ]; then
  step "npm ci (package-lock.json changed or node_modules missing)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.ei-lock-hash
else
  step "npm packages: in place"
fi

# --- Prisma client ------------------------------------------------------------
# `prisma generate` needs no schema engine, but the CLI insists a file is named.
schema_hash=$(cat prisma/schema.prisma package-lock.json | sha256sum | cut -c1-64)
if [ ! -f src/db/generated/.ei-schema-hash ] || [ "$(cat src/db/generated/.ei-schema-hash)" != "$schema_hash" ]; then
  step "prisma generate"
  touch .ei/no-schema-engine
  PRISMA_SCHEMA_ENGINE_BINARY="$PWD/.ei/no-schema-engine" PRISMA_HIDE_UPDATE_MESSAGE=1 \
    npx prisma generate >/dev/null
  echo "$schema_hash" > src/db/generated/.ei-schema-hash
else
  step "Prisma client: generated"
fi

# --- PostgreSQL -----------------------------------------------------------------
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt_install postgresql postgresql-contrib
else
  step "PostgreSQL: installed ($(ls /usr/lib/postgresql | sort -n | tail -1))"
fi

# --- Temporal CLI (dev server + Web UI) -----------------------------------------
if [ -x "$TEMPORAL_BIN" ]; then
  step "Temporal CLI v$TEMPORAL_CLI_VERSION: cached at $TEMPORAL_BIN"
else
  command -v go >/dev/null || fail "Go is needed once to build the Temporal CLI (go install); install Go >= 1.23"
  step "building Temporal CLI v$TEMPORAL_CLI_VERSION from source (first time only, takes a few minutes)"
  tmp_bin="$CACHE_DIR/.temporal-build-$$"
  mkdir -p "$tmp_bin"
  CGO_ENABLED=0 GOBIN="$tmp_bin" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
  mkdir -p "$(dirname "$TEMPORAL_BIN")"
  mv "$tmp_bin/temporal" "$TEMPORAL_BIN"
  rmdir "$tmp_bin"
  step "Temporal CLI built: $("$TEMPORAL_BIN" --version)"
fi

# --- the full Temporal server (TEMPORAL_SERVER=full, FAULTS_TEMPORAL=full) ----------
if [ "${TEMPORAL_SERVER:-dev}" = full ] || [ "${FAULTS_TEMPORAL:-}" = full ] || [ "${EI_SETUP_FULL_TEMPORAL:-0}" = 1 ]; then
  bash scripts/setup-temporal-server.sh
fi
# --- the fault suite's tools: Toxiproxy (network faults) and libfaketime (clock skew) --
if [ -x "$TOXIPROXY_BIN" ]; then
  step "Toxiproxy v$TOXIPROXY_VERSION: cached at $TOXIPROXY_BIN"
else
  command -v go >/dev/null || fail "Go is needed once to build Toxiproxy (go install); install Go >= 1.23"
  step "building Toxiproxy v$TOXIPROXY_VERSION from source (first time only)"
  tmp_bin="$CACHE_DIR/.toxiproxy-build-$$"
  mkdir -p "$tmp_bin"
  CGO_ENABLED=0 GOBIN="$tmp_bin" go install "github.com/Shopify/toxiproxy/v2/cmd/server@v$TOXIPROXY_VERSION"
  mkdir -p "$(dirname "$TOXIPROXY_BIN")"
  mv "$tmp_bin/server" "$TOXIPROXY_BIN"
  rmdir "$tmp_bin"
fi
command -v faketime >/dev/null || apt_install faketime

# --- Java time-skipping test server (tests only) ----------------------------------
# io.temporal:temporal-test-server from Maven Central, for timer-heavy workflow tests
if [ "${EI_SETUP_TEST_SERVER:-0}" = 1 ]; then
  command -v java >/dev/null || apt_install default-jre-headless
  command -v mvn >/dev/null || apt_install maven
  bash scripts/java-test-server.sh install
  # the dashboard's browser test: Debian's Chromium driven by playwright-core
  command -v chromium >/dev/null || apt_install chromium
fi

step "set-up done in $(( $(date +%s) - t0 )) s"

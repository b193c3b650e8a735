#!/usr/bin/env bash
# The full Temporal server, for scripts/setup.sh when it is wanted: temporal-server
# and temporal-sql-tool built from go.temporal.io/server through the Go module
# proxy, with the module's PostgreSQL schema and its development-postgres12.yaml
# (the template scripts/lib/stack.ts follows), cached outside the clone beside the
# CLI. A second run finds them and takes milliseconds.
set -euo pipefail
CACHE_DIR="${EI_CACHE_DIR:-$HOME/.cache/endpoint-inventory}"
TEMPORAL_SERVER_VERSION=1.29.1
UI_SERVER_VERSION=2.42.1
TEMPORAL_SERVER_DIR="${TEMPORAL_SERVER_DIR:-$CACHE_DIR/temporal-server-v$TEMPORAL_SERVER_VERSION}"
step() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

if [ -x "$TEMPORAL_SERVER_DIR/temporal-server" ] && [ -x "$TEMPORAL_SERVER_DIR/temporal-sql-tool" ] && [ -x "$TEMPORAL_SERVER_DIR/temporal-ui-server" ] \
  && [ -d "$TEMPORAL_SERVER_DIR/schema/postgresql/v12" ]; then
  step "Temporal server v$TEMPORAL_SERVER_VERSION: cached at $TEMPORAL_SERVER_DIR"
  exit 0
fi
command -v go >/dev/null || fail "Go is needed once to build the Temporal server (go install); install Go >= 1.23"
step "building Temporal server v$TEMPORAL_SERVER_VERSION, temporal-sql-tool and the Web UI server v$UI_SERVER_VERSION from source (first time only, takes a few minutes)"
t0=$(date +%s)
mkdir -p "$CACHE_DIR"
tmp_bin="$CACHE_DIR/.temporal-server-build-$$"
mkdir -p "$tmp_bin"
CGO_ENABLED=0 GOBIN="$tmp_bin" go install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" \
  "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
mkdir -p "$tmp_bin/ui"
CGO_ENABLED=0 GOBIN="$tmp_bin/ui" go install "github.com/temporalio/ui-server/v2/cmd/server@v$UI_SERVER_VERSION"
module="$(go env GOMODCACHE)/go.temporal.io/server@v$TEMPORAL_SERVER_VERSION"
mkdir -p "$TEMPORAL_SERVER_DIR/schema/postgresql" "$TEMPORAL_SERVER_DIR/config"
cp -r "$module/schema/postgresql/v12" "$TEMPORAL_SERVER_DIR/schema/postgresql/"
cp "$module/config/development-postgres12.yaml" "$TEMPORAL_SERVER_DIR/config/"
chmod -R u+w "$TEMPORAL_SERVER_DIR" # copied from the read-only module cache
mv "$tmp_bin/sql" "$TEMPORAL_SERVER_DIR/temporal-sql-tool"
mv "$tmp_bin/ui/server" "$TEMPORAL_SERVER_DIR/temporal-ui-server"
rmdir "$tmp_bin/ui"
mv "$tmp_bin/server" "$TEMPORAL_SERVER_DIR/temporal-server" # last: its presence means the rest is there
rmdir "$tmp_bin"
step "Temporal server v$TEMPORAL_SERVER_VERSION built in $(($(date +%s) - t0)) s: $TEMPORAL_SERVER_DIR"

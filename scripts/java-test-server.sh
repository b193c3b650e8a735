#!/usr/bin/env bash
# Temporal Java time-skipping test server (io.temporal:temporal-test-server,
# from Maven Central), usable as the executable of
#   TestWorkflowEnvironment.createTimeSkipping({
#     server: { executable: { type: 'existing-path', path: '<this script>' } } })
# The SDK spawns it with the port as its only argument and kills it by pid,
# hence the `exec java` at the end.
#
# Usage:
#   scripts/java-test-server.sh install   fetch the jars (idempotent, cached)
#   scripts/java-test-server.sh <port>    run the server on <port> (exec's java)
#
# Env:
#   EI_CACHE_DIR             cache root (default: $HOME/.cache/endpoint-inventory)
#   EI_TEST_SERVER_JAVA      java binary (default: java on PATH)
#   EI_TEST_SERVER_JVM_OPTS  replaces the default JVM flags below if set
#                            (" " = run java with no extra flags)
#   EI_TEST_SERVER_CDS=0     don't use (or, on install, build) the AppCDS archive
#   EI_TEST_SERVER_PDEATHSIG=0  don't tie the JVM's life to its parent process
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$script_dir/temporal-test-server/pom.xml"

# The pinned version lives in the pom (single source of truth).
version="$(sed -n 's:.*<temporal.test-server.version>\([^<]*\)</temporal.test-server.version>.*:\1:p' "$pom" | head -n1)"
if [[ -z "$version" ]]; then
  echo "java-test-server.sh: cannot read temporal.test-server.version from $pom" >&2
  exit 1
fi

cache_root="${EI_CACHE_DIR:-$HOME/.cache/endpoint-inventory}"
dest="$cache_root/temporal-test-server-$version"
lib="$dest/lib"
marker="$dest/.installed"
main_jar="$lib/temporal-test-server-$version.jar"
# AppCDS (class-data sharing) archive of the server's startup classes; built by
# `install`, cuts JVM startup roughly 3x. Optional: the JVM ignores it if it
# does not match (other JDK, changed jars), and it is skipped if missing.
cds_archive="$dest/test-server.jsa"
main_class=io.temporal.testserver.TestServer
java_bin="${EI_TEST_SERVER_JAVA:-java}"

# Small-JVM flags for fast startup on a 2-core machine:
#   -XX:TieredStopAtLevel=1  C1 JIT only (the main win of these flags)
#   -XX:+UseSerialGC         no G1 setup / GC worker threads
#   -Xshare:auto             use CDS archives when valid, never fail on them
#   -Xss512k -Xms64m -Xmx512m  small stacks/heap; caps memory in long runs
if [[ -n "${EI_TEST_SERVER_JVM_OPTS+set}" ]]; then
  # shellcheck disable=SC2206
  jvm_opts=(${EI_TEST_SERVER_JVM_OPTS})
else
  jvm_opts=(
    -XX:TieredStopAtLevel=1
    -XX:+UseSerialGC
    -Xshare:auto
    -Xss512k
    -Xms64m
    -Xmx512m
  )
fi

installed() {
  [[ -f "$marker" && -f "$main_jar" ]]
}

# The CDS archive is only valid for the exact JVM build and jar files it was
# made from; treat it as stale when libjvm or any jar is newer than it.
cds_stale() {
  [[ -f "$cds_archive" ]] || return 0
  local java_path jvm_lib
  java_path="$(readlink -f "$(command -v "$java_bin" 2>/dev/null)" 2>/dev/null || true)"
  jvm_lib="$(dirname "$(dirname "$java_path")")/lib/server/libjvm.so"
  [[ -f "$jvm_lib" && "$jvm_lib" -nt "$cds_archive" ]] && return 0
  [[ -n "$(find "$lib" -maxdepth 1 -name '*.jar' -newer "$cds_archive" -print -quit)" ]] && return 0
  return 1
}

usage() {
  echo "usage: $0 install | $0 <port> [extra test-server args...]" >&2
}

# Build the AppCDS archive: start the server once with -XX:ArchiveClassesAtExit,
# wait until its port accepts connections, then stop it with SIGTERM (the JVM
# writes the archive on exit). Best effort: failure only costs startup speed.
build_cds_archive() {
  [[ "${EI_TEST_SERVER_CDS:-1}" != 0 ]] || return 0
  command -v "$java_bin" >/dev/null 2>&1 || { echo "  (no java on PATH; skipping CDS archive)"; return 0; }
  echo "temporal test server $version: building class-data-sharing archive ..."
  local tmp_jsa="$cds_archive.tmp.$$" port pid i up=0 attempt
  rm -f "$cds_archive" "$tmp_jsa" "$dest/.cds-failed"
  for attempt in 1 2 3; do
    port=$(( 20000 + RANDOM % 20000 ))
    "$java_bin" "${jvm_opts[@]}" -XX:ArchiveClassesAtExit="$tmp_jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
      -cp "$lib/*" "$main_class" "$port" >"$dest/cds-build.log" 2>&1 &
    pid=$!
    up=0
    for ((i = 0; i < 300; i++)); do   # up to 30 s
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
      sleep 0.1
    done
    if [[ $up == 1 ]]; then
      sleep 1   # let post-bind initialisation load its classes too
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      break
    fi
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ $up == 1 && -s "$tmp_jsa" ]]; then
    mv -f "$tmp_jsa" "$cds_archive"
    echo "temporal test server $version: CDS archive written ($cds_archive)"
  else
    rm -f "$tmp_jsa"
    touch "$dest/.cds-failed"   # don't retry on every cached `install`
    echo "temporal test server $version: could not build CDS archive (see $dest/cds-build.log); continuing without it"
  fi
}

if [[ $# -lt 1 ]]; then
  usage
  exit 2
fi

case "$1" in
  install)
    if installed; then
      if [[ "${EI_TEST_SERVER_CDS:-1}" != 0 && ! -f "$dest/.cds-failed" ]] && cds_stale; then
        build_cds_archive
      fi
      echo "temporal test server $version: cached ($lib)"
      exit 0
    fi
    if ! command -v mvn >/dev/null 2>&1; then
      echo "java-test-server.sh: mvn not found; install Maven (apt-get install maven)" >&2
      exit 1
    fi
    echo "temporal test server $version: fetching jars from Maven Central into $lib ..."
    # Copy into a fresh temp dir, then move into place, so a failed or
    # interrupted copy never leaves a half-filled lib dir behind.
    mkdir -p "$dest"
    tmp="$(mktemp -d "$dest/lib.tmp.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    # mvn -q still emits stray ANSI resets on stdout; keep its output in a log
    # and show it only on failure (Maven prints its errors on stdout).
    log="$dest/mvn-install.log"
    if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" >"$log" 2>&1; then
      echo "java-test-server.sh: mvn dependency:copy-dependencies failed; output:" >&2
      sed 's/\x1b\[[0-9;]*m//g' "$log" >&2
      exit 1
    fi
    if [[ ! -f "$tmp/temporal-test-server-$version.jar" ]]; then
      echo "java-test-server.sh: mvn finished but temporal-test-server-$version.jar is missing" >&2
      exit 1
    fi
    chmod 755 "$tmp"
    rm -rf "$lib" "$cds_archive"
    mv "$tmp" "$lib"
    trap - EXIT
    n="$(find "$lib" -maxdepth 1 -name '*.jar' | wc -l)"
    echo "temporal test server $version: copied $n jars"
    build_cds_archive
    printf 'version=%s\njars=%s\n' "$version" "$n" > "$marker"
    echo "temporal test server $version: installed"
    exit 0
    ;;
  -h|--help|help)
    usage
    exit 0
    ;;
esac

port="$1"
shift
if ! [[ "$port" =~ ^[0-9]+$ ]]; then
  echo "java-test-server.sh: port must be a number, got '$port'" >&2
  usage
  exit 2
fi

if ! installed; then
  echo "java-test-server.sh: temporal test server $version is not installed in $lib;" \
       "run 'scripts/java-test-server.sh install' first" >&2
  exit 1
fi

if ! command -v "$java_bin" >/dev/null 2>&1; then
  echo "java-test-server.sh: '$java_bin' not found; install a JDK/JRE 11+ (e.g. openjdk-17-jre-headless)" >&2
  exit 1
fi

cds_opts=()
if [[ "${EI_TEST_SERVER_CDS:-1}" != 0 && -f "$cds_archive" ]]; then
  # With -Xshare:auto (in the default flags) a stale archive is ignored, never fatal.
  cds_opts=(-XX:SharedArchiveFile="$cds_archive" -Xlog:cds=off -Xlog:cds+dynamic=off)
fi

# If the test process dies without teardown (crash, SIGKILL, Ctrl-C of a runner
# that skips hooks) nothing kills the JVM and it lingers holding its port.
# setpriv (util-linux) sets PR_SET_PDEATHSIG and then exec's java in place, so
# the pid stays the one the SDK spawned, and java gets SIGTERM when its parent
# goes away. (Checked with the TS SDK 1.24: the server survives long idle
# periods in a live test process and exits when that process is SIGKILLed.)
# EI_TEST_SERVER_PDEATHSIG=0 turns this off.
launcher=()
if [[ "${EI_TEST_SERVER_PDEATHSIG:-1}" != 0 ]] && command -v setpriv >/dev/null 2>&1; then
  launcher=(setpriv --pdeathsig TERM)
fi

# exec: the TS SDK kills the server by the pid it spawned.
exec "${launcher[@]}" "$java_bin" "${jvm_opts[@]}" "${cds_opts[@]}" -cp "$lib/*" "$main_class" "$port" "$@"

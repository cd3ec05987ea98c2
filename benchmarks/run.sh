#!/usr/bin/env bash
# Builds the benchmarks module and runs all of it: side by side through RestClient against a private
# nginx on 127.0.0.1, the same on the user's path (each client from a Boot context's auto-configured
# RestClient.Builder), then the JMH suite (pool acquire+release, LRU lookup, allocation per GET).
#
#   benchmarks/run.sh           full run (< 30 min), writes benchmarks/RESULTS.md
#   benchmarks/run.sh --smoke   a few seconds per case (< 2 min), writes benchmarks/target/RESULTS-smoke.md
#   benchmarks/run.sh --h2      only the HTTP/2 cells (< 10 min): writes benchmarks/target/RESULTS-h2.md and
#                               puts its section into benchmarks/RESULTS.md (replacing an earlier one)
#   benchmarks/run.sh --h2 --smoke   the HTTP/2 cells in smoke mode (< 3 min), benchmarks/target/RESULTS-h2-smoke.md
#
# A full run keeps the HTTP/2 section RESULTS.md already has; the HTTP/2 cells run only with --h2.
#
# The JVM that runs the benchmarks is $BENCH_JAVA_HOME if set, else Temurin 25 when installed (it adds
# the virtual-thread row), else the java on PATH. Needs nginx (/usr/sbin/nginx or $POOLCLIENT_NGINX).
# Every phase is bounded by `timeout`; nginx is stopped by the benchmark JVM (also on SIGTERM).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

mode=full
h2=no
for arg in "$@"; do
  case "$arg" in
    --smoke) mode=smoke ;;
    --h2) h2=yes ;;
    *) echo "usage: $0 [--smoke] [--h2]" >&2; exit 2 ;;
  esac
done

# --- the JVM to run on ------------------------------------------------------------------------
java_home="${BENCH_JAVA_HOME:-}"
if [ -z "$java_home" ]; then
  for candidate in /usr/lib/jvm/temurin-25*; do
    if [ -x "$candidate/bin/java" ]; then java_home="$candidate"; break; fi
  done
fi
if [ -n "$java_home" ]; then java="$java_home/bin/java"; else java="$(command -v java)"; fi
jvm_flags=()
if "$java" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1; then
  jvm_flags+=(--enable-native-access=ALL-UNNAMED) # Netty's native transport, without the warning
fi

# Load before anything of ours runs: our own benchmark threads count in the load average, so a
# reading taken later says nothing about other work on the machine.
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
revision="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git -C "$root" status --porcelain -- pool-client-core 2>/dev/null | wc -l | tr -d ' ')"

# --- build ------------------------------------------------------------------------------------
started=$(date +%s)
echo "== building (mvn -pl benchmarks -am package)"
(cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests)

# Run from a private copy: a concurrent `mvn clean` in the work tree must not pull the classes away
# from under a running benchmark (JMH forks new JVMs on the same class path).
stage="$(mktemp -d "${TMPDIR:-/tmp}/poolclient-bench.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
cp -r "$here/target/classes" "$stage/classes"
cp -r "$here/target/lib" "$stage/lib"
cp="$stage/classes:$stage/lib/*"

work="$stage/results"
mkdir -p "$work"

flag=()
if [ "$mode" = smoke ]; then
  flag=(--smoke)
  sbs_limit=100; jmh_limit=150; up_limit=120; h2_limit=180
  # one cell is enough to prove the user's-path harness: every Boot context starts and answers
  up_cells=(--threads 16 --virtual 0 --sizes json)
else
  sbs_limit=600; jmh_limit=330; up_limit=900; h2_limit=600
  # five rounds of 2 s per client (against three of 1.2 s elsewhere): the user's-path targets compare
  # ratios of about 1.1 and p99s, which three short rounds on a shared machine do not decide
  up_cells=(--sizes small,json --rounds 5 --round-ms 2000)
fi

# CPU used by everything else on the machine while we measure: busy time of all CPUs (/proc/stat)
# minus the CPU time of this script's children (the benchmark JVMs and their nginx), in clock ticks.
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
child_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }
busy_before=$(busy_ticks); ours_before=$(child_ticks); measure_start=$(date +%s)

sbs_status=0; up_status=0; jmh_status=0; h2_status=0
if [ "$h2" = no ]; then
# --- side by side -----------------------------------------------------------------------------
echo "== side by side through RestClient (limit ${sbs_limit}s)"
timeout --signal=TERM --kill-after=20 "$sbs_limit" \
  "$java" "${jvm_flags[@]}" -Xms1g -Xmx1g -cp "$cp" io.poolclient.bench.SideBySide "${flag[@]}" --out "$work/side-by-side.md" \
  || sbs_status=$?

# --- the user's path: Boot's auto-configured builders, String and JSON-record bodies -------------
echo "== the user's path: Boot contexts, pool size = threads (limit ${up_limit}s)"
timeout --signal=TERM --kill-after=20 "$up_limit" \
  "$java" "${jvm_flags[@]}" -Xms1g -Xmx1g -cp "$cp" io.poolclient.bench.SideBySide "${flag[@]}" "${up_cells[@]}" \
  --contenders boot-pool-client,boot-hc5,boot-jetty,boot-reactor,boot-jdk,boot-pool-client-metrics,boot-hc5-metrics \
  --maxsize threads --out "$work/user-path.md" \
  || up_status=$?

# --- JMH --------------------------------------------------------------------------------------
echo "== JMH suite (limit ${jmh_limit}s)"
timeout --signal=TERM --kill-after=20 "$jmh_limit" \
  "$java" "${jvm_flags[@]}" -Xmx512m -cp "$cp" io.poolclient.bench.JmhSuite "${flag[@]}" --out "$work/jmh.md" \
  > "$work/jmh.log" 2>&1 || jmh_status=$?
grep -E "^[A-Z][A-Za-z]+Benchmark\.[A-Za-z]+ " "$work/jmh.log" || tail -20 "$work/jmh.log"
else
# --- HTTP/2: h2 over TLS and h2c, the peers that speak it and pool-client from a Boot context -------
echo "== HTTP/2 cells through RestClient (limit ${h2_limit}s)"
h2_cells=()
if [ "$mode" = smoke ]; then h2_cells=(--threads 16 --virtual 0 --sizes small); fi
timeout --signal=TERM --kill-after=20 "$h2_limit" \
  "$java" "${jvm_flags[@]}" -Xms1g -Xmx1g -cp "$cp" io.poolclient.bench.H2SideBySide "${flag[@]}" "${h2_cells[@]}" \
  --out "$work/h2.md" \
  || h2_status=$?
fi

load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
busy_after=$(busy_ticks); ours_after=$(child_ticks); measure_end=$(date +%s)
hz=$(getconf CLK_TCK)
others_cores=$(awk -v b=$((busy_after - busy_before)) -v o=$((ours_after - ours_before)) -v hz="$hz" \
  -v t=$((measure_end - measure_start)) 'BEGIN { v = (b - o) / hz / (t > 0 ? t : 1); printf "%.2f", v < 0 ? 0 : v }')
finished=$(date +%s)

# --- report -----------------------------------------------------------------------------------
if [ "$h2" = yes ]; then
  if [ "$mode" = smoke ]; then results="$here/target/RESULTS-h2-smoke.md"; else results="$here/target/RESULTS-h2.md"; fi
  mkdir -p "$here/target"
elif [ "$mode" = smoke ]; then results="$here/target/RESULTS-smoke.md"; else results="$here/RESULTS.md"; fi
h2_begin="<!-- HTTP/2 cells: written by run.sh --h2 -->"
h2_end="<!-- end of the HTTP/2 cells -->"
# the HTTP/2 section of the current RESULTS.md, kept by a full run (which does not run those cells)
kept_h2=""
if [ -f "$here/RESULTS.md" ]; then
  kept_h2="$(awk -v b="$h2_begin" -v e="$h2_end" '$0 == b { on = 1 } on { print } $0 == e { on = 0 }' "$here/RESULTS.md")"
fi
cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mem_total="$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
java_version="$("$java" -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
load1_start="${load_start%% *}"
loaded=$(awk -v l="$load1_start" -v o="$others_cores" 'BEGIN { print (l >= 1.5 || o >= 0.25) ? "yes" : "no" }')
{
  if [ "$h2" = yes ]; then echo "# pool-client benchmark results: HTTP/2 cells"; else echo "# pool-client benchmark results"; fi
  echo
  if [ "$mode" = smoke ]; then
    echo "**Smoke run** (\`benchmarks/run.sh --smoke\`): proves the harness works; the numbers mean nothing."
    echo
  fi
  echo "Generated by \`benchmarks/run.sh$([ "$mode" = smoke ] && echo " --smoke")$([ "$h2" = yes ] && echo " --h2")\` on $(date -u '+%Y-%m-%d %H:%M UTC'), total $((finished - started)) s (build included)."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| CPU | $(nproc) × ${cpu_model:-unknown} |"
  echo "| memory | $mem_total |"
  echo "| kernel | $(uname -sr) |"
  echo "| JDK | $java_version |"
  echo "| nginx | $(${POOLCLIENT_NGINX:-/usr/sbin/nginx} -v 2>&1 | sed 's/^nginx version: //') (1 worker) |"
  echo "| engine | pool-client-core at $revision$([ "${dirty:-0}" != 0 ] && echo " plus $dirty uncommitted file(s) of the work tree") |"
  echo "| load average (1/5/15 min) | before the run $load_start; at its end $load_end (includes the benchmark's own threads) |"
  echo "| CPU used by other processes while measuring | $others_cores cores on average (of $(nproc)) |"
  echo
  if [ "$loaded" = yes ]; then
    if awk -v o="$others_cores" 'BEGIN { exit !(o >= 0.25) }'; then
      echo "> **The machine was loaded**: other processes used $others_cores of the $(nproc) cores on average while"
      echo "> it measured (1-minute load $load1_start before the run). Absolute numbers are noisy and ratios less"
      echo "> certain than on an idle machine; the interleaved rounds spread the noise over all clients alike (see"
      echo "> the *spread* column). *CPU µs/req* is the steadier column."
    else
      echo "> The 1-minute load was $load1_start just before the run (work that ended before it began); while it"
      echo "> measured, other processes used $others_cores of the $(nproc) cores on average."
    fi
    echo
  fi
  if [ "$sbs_status" -ne 0 ]; then
    echo "> Side-by-side phase ended with status $sbs_status (124 = time limit)."
    echo
  fi
  if [ "$jmh_status" -ne 0 ]; then
    echo "> JMH phase ended with status $jmh_status (124 = time limit); see benchmarks/target/bench-results/jmh.log."
    echo
  fi
  if [ "$up_status" -ne 0 ]; then
    echo "> User's-path phase ended with status $up_status (124 = time limit)."
    echo
  fi
  if [ "$h2_status" -ne 0 ]; then
    echo "> HTTP/2 phase ended with status $h2_status (124 = time limit)."
    echo
  fi
  [ -f "$work/side-by-side.md" ] && cat "$work/side-by-side.md"
  [ -f "$work/user-path.md" ] && cat "$work/user-path.md"
  [ -f "$work/jmh.md" ] && cat "$work/jmh.md"
  [ -f "$work/h2.md" ] && cat "$work/h2.md"
  if [ -f "$here/ANALYSIS.md" ] && [ "$mode" = full ] && [ "$h2" = no ]; then
    echo
    cat "$here/ANALYSIS.md"
  fi
  if [ "$mode" = full ] && [ "$h2" = no ] && [ -n "$kept_h2" ]; then
    echo
    echo "$kept_h2"
  fi
} > "$results"

# --h2 (full): its report, with the machine table, replaces the HTTP/2 section of RESULTS.md
if [ "$h2" = yes ] && [ "$mode" = full ] && [ -f "$work/h2.md" ]; then
  section="$(mktemp "$stage/h2-section.XXXXXX")"
  {
    echo "$h2_begin"
    sed 's/^#/##/' "$results"
    if [ -f "$here/ANALYSIS-h2.md" ]; then echo; sed 's/^#/##/' "$here/ANALYSIS-h2.md"; fi
    echo "$h2_end"
  } > "$section"
  if [ -f "$here/RESULTS.md" ]; then
    awk -v b="$h2_begin" -v e="$h2_end" '$0 == b { skip = 1 } !skip { print } $0 == e { skip = 0 }' "$here/RESULTS.md" \
      > "$stage/results-without-h2.md"
  else
    : > "$stage/results-without-h2.md"
  fi
  { cat "$stage/results-without-h2.md"; echo; cat "$section"; } > "$here/RESULTS.md"
  echo "== put the HTTP/2 section into $here/RESULTS.md"
fi

mkdir -p "$here/target/bench-results"
cp "$work"/* "$here/target/bench-results/" 2>/dev/null || true
echo "== wrote $results ($((finished - started)) s)"
if [ "$sbs_status" -ne 0 ] || [ "$up_status" -ne 0 ] || [ "$jmh_status" -ne 0 ] || [ "$h2_status" -ne 0 ]; then
  exit 1
fi

#!/usr/bin/env bash
# Smoke test of the sample's executable jar, as a user runs it: `java -jar` on a free port, then
# wait (at most 60 s) until GET /actuator/httppools answers 200 with JSON naming "mounts" and the
# sample has printed its scenario report (so it is not stopped half-way through the scenarios),
# then stop the application (TERM, at most 20 s, then KILL). Exits 0 on success, 1 otherwise, printing the
# application's log on failure. Build the jar first (`./mvnw -B -q install -DskipTests` or any
# `package`/`verify` run). Uses $JAVA_HOME/bin/java when JAVA_HOME is set, else `java`.
set -euo pipefail

cd "$(dirname "$0")"

readonly WAIT_SECONDS=60
readonly STOP_SECONDS=20
readonly REPORT='== pool-client sample: what the pools did =='

shopt -s nullglob
jars=(target/sample-app-*.jar)
shopt -u nullglob
if [ "${#jars[@]}" -ne 1 ]; then
  echo "smoke: expected one sample-app/target/sample-app-*.jar, found ${#jars[@]}: build the sample first" >&2
  exit 1
fi
jar="${jars[0]}"

java_cmd=java
if [ -n "${JAVA_HOME:-}" ]; then
  java_cmd="$JAVA_HOME/bin/java"
fi

if command -v curl >/dev/null 2>&1; then
  fetch() { curl -sS -m 5 -o "$1" -w '%{http_code}' "$2" 2>/dev/null || true; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { if wget -q -T 5 -t 1 -O "$1" "$2" 2>/dev/null; then echo 200; else echo 000; fi; }
else
  echo "smoke: needs curl or wget" >&2
  exit 1
fi

# A port nothing listens on right now (checked on 127.0.0.1), from a bounded number of tries.
port=""
for _ in $(seq 1 50); do
  candidate=$(( 20000 + RANDOM % 30000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port="$candidate"
    break
  fi
done
if [ -z "$port" ]; then
  echo "smoke: found no free port" >&2
  exit 1
fi

log="target/smoke-$port.log"
body="target/smoke-$port.json"
url="http://127.0.0.1:$port/actuator/httppools"

echo "smoke: java -jar $jar --server.port=$port (log: sample-app/$log)"
"$java_cmd" -jar "$jar" --server.port="$port" >"$log" 2>&1 &
pid=$!

stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $(( STOP_SECONDS * 10 )) ]; do
      sleep 0.1
      waited=$(( waited + 1 ))
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "smoke: the application did not stop within ${STOP_SECONDS}s after TERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}
trap stop EXIT

ok=no
status=000
deadline=$(( SECONDS + WAIT_SECONDS ))
while [ "$SECONDS" -lt "$deadline" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "smoke: the application exited before answering" >&2
    break
  fi
  status=$(fetch "$body" "$url")
  if [ "$status" = 200 ] && grep -q '"mounts"' "$body" && grep -q "$REPORT" "$log"; then
    ok=yes
    break
  fi
  sleep 1
done

if [ "$ok" = yes ]; then
  echo "smoke: PASSED: $url answered 200 with \"mounts\" and the scenarios ran, after ${SECONDS}s"
  sed -n "/$REPORT/,/Look at them live/p" "$log"
  exit 0
fi
echo "smoke: FAILED: within ${WAIT_SECONDS}s, no 200 with \"mounts\" from $url (last status $status)" \
  "or no scenario report in the log" >&2
echo "---- application log ----" >&2
tail -n 200 "$log" >&2 || true
exit 1

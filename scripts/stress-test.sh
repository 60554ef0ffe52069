#!/usr/bin/env bash
# The load check to run before stopping: the README's test command, run N times in a row
# (default 5) with turbo's cache off, while a CPU hog keeps every core busy (one Node busy loop
# per core). A test that fails only under load is a broken test: fix it, never retry it.
#
#   scripts/stress-test.sh [runs]          logs in $STRESS_LOGS (default /tmp/ws02-stress)
#
# After each run it checks that nothing the suite started is left behind (a process of this
# checkout re-parented to PID 1). Prints one line per run and exits non-zero if any run failed
# or left something behind.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-5}
logs=${STRESS_LOGS:-/tmp/ws02-stress}
mkdir -p "$logs"
cores=$(nproc)

hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do kill -9 "$pid" 2>/dev/null; done
}
trap stop_hogs EXIT INT TERM
for _ in $(seq "$cores"); do
  node -e 'for (;;) {}' &
  hogs+=($!)
done
echo "stress: $cores CPU hogs running (pids ${hogs[*]}); $runs runs of 'npm test', turbo cache off; logs in $logs"

leftovers() {
  ps -eo pid,ppid,args | awk -v top="$root" '$2 == 1 && index($0, top) && !/awk/ { print }'
}

failed=0
for i in $(seq "$runs"); do
  log="$logs/run-$i.log"
  start=$(date +%s)
  TURBO_FORCE=true npm test >"$log" 2>&1
  status=$?
  secs=$(($(date +%s) - start))
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  left=$(leftovers)
  verdict=ok
  [ "$status" -ne 0 ] && verdict=FAILED && failed=1
  if [ -n "$left" ]; then
    verdict="$verdict, LEFT BEHIND: $(echo "$left" | wc -l) processes"
    failed=1
    echo "$left" >"$logs/run-$i.leftovers"
  fi
  printf 'run %d/%d: %dm%02ds, exit %d, "%s" (%s) load %s\n' "$i" "$runs" $((secs / 60)) \
    $((secs % 60)) "$status" "${last:-no summary line}" "$verdict" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
exit $failed

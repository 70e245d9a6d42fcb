#!/usr/bin/env bash
# The fault drills, N times each at a node count: kill -9 during await then reap, SIGTERM during a workload
# phase, the registry restarted during await, a node's SSH server killed during nodes.run, a spot reclaim during
# a phase, the driver's disk full while collecting (needs root for a small tmpfs; skipped elsewhere). Each run is
# DrillsTest (src/test/java/io/spotsh/workflow) on the real parts in a fresh state folder; every drill reports the
# instances it left (leaked), registrations lost, and what the user saw.
# Usage: scripts/bench/chaos.sh [N [NODES]] (default 1 run of 300 nodes, the benchmark form; 1 8 to try it).
# Writes scripts/bench/results/chaos.{tsv,md}; exits 1 when any drill failed, leaked or lost something.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/scripts/bench/results"
mkdir -p "$out"
runs=${1:-1}
nodes=${2:-300}
case "$runs$nodes" in *[!0-9]*) echo "usage: $0 [N [NODES]] (numbers)" >&2; exit 2 ;; esac

tsv="$out/chaos.tsv"
: >"$tsv"
failed=0
for ((i = 1; i <= runs; i++)); do
    log=$(mktemp "${TMPDIR:-/tmp}/spotsh-chaos.XXXXXX.log")
    echo "run $i of $runs, $nodes nodes (log: $log)" >&2
    (cd "$root" && mvn -B -q ${MVN_OFFLINE:+-o} test -Dtest=DrillsTest -Dsurefire.failIfNoSpecifiedTests=false \
        -Dspotsh.drill.nodes="$nodes" -Dspotsh.drill.report="$tsv" >"$log" 2>&1) || {
        failed=1
        echo "run $i: a drill failed:" >&2
        grep -a -E "FAILURE|ERROR\]|AssertionFailed|expected:" "$log" | head -20 >&2 || true
    }
done

{
    echo "# Fault drills ($(date -u +%F), $runs runs × $nodes local nodes, $(nproc) cores)"
    echo
    echo "| drill | runs | leaked | lost | what the user saw (last run) |"
    echo "|---|---:|---:|---:|---|"
    awk -F'\t' '{ runs[$1]++; leaked[$1] += $2; lost[$1] += $3; saw[$1] = $4; if (!($1 in order)) { order[$1] = ++n; names[n] = $1 } }
        END { for (i = 1; i <= n; i++) { d = names[i]; s = saw[d]; gsub(/\|/, "\\|", s);
              printf "| %s | %d | %d | %d | %s |\n", d, runs[d], leaked[d], lost[d], s } }' "$tsv"
    echo
    echo "leaked: instances of the drill's test still running at its end; lost: instances whose phone-home wrote a"
    echo "node number the registry does not hold for them, plus numbers given twice. A drill missing from the"
    echo "table did not get as far as its report (see the failures above it) or was skipped (the disk-full drill"
    echo "needs root to mount a small tmpfs). Command: \`scripts/bench/chaos.sh $runs $nodes\`."
} >"$out/chaos.md"
cat "$out/chaos.md"
if awk -F'\t' '$2 != 0 || $3 != 0 { bad = 1 } END { exit !bad }' "$tsv"; then
    failed=1
fi
exit "$failed"

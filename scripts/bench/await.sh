#!/usr/bin/env bash
# Launch-to-ready: time from cluster.launch to cluster.await returning for N local nodes (default 50 and 300),
# through the product as a user runs it (scripts/spotsh -f a plan, embedded registry, local cloud, real
# userdata and phone-home), with the peak RSS of the spotsh process (/usr/bin/time) and of the local-cloud
# daemon (VmHWM while the cluster is up). Each size gets a fresh state directory.
# Usage: scripts/bench/await.sh [N...]. Writes scripts/bench/results/await.{csv,md}.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/scripts/bench/results"
mkdir -p "$out"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50 300)
"$root/scripts/spotsh" -e 'null' >/dev/null # build once, untimed

csv="$out/await.csv"
echo "date,nodes,launch_to_ready_ms,spotsh_peak_rss_mib,daemon_peak_rss_mib,load_1m,cores" >"$csv"
for n in "${sizes[@]}"; do
    state=$(mktemp -d "${TMPDIR:-/tmp}/spotsh-bench-await.XXXXXX")
    plan="$state/await.groovy"
    cat >"$plan" <<PLAN
def t0 = System.nanoTime()
cluster.launch(name: "await-$n", dataNodes: $n, clientNodes: 0, ttl: '30m')
cluster.await(timeout: '15m', every: '5s')
println "READY_MS=" + (System.nanoTime() - t0).intdiv(1000000)
def pid = new groovy.json.JsonSlurper().parse(new File("$state/local-cloud/daemon.json")).pid
def hwm = new File("/proc/\${pid}/status").readLines().find { it.startsWith('VmHWM:') }.split(/\s+/)[1] as long
println "DAEMON_HWM_KB=" + hwm
cluster.terminate()
PLAN
    log="$state/run.log"
    /usr/bin/time -f "SPOTSH_RSS_KB=%M" "$root/scripts/spotsh" --state-dir "$state" -f "$plan" >"$log" 2>&1 || {
        echo "the $n-node run failed:" >&2; tail -20 "$log" >&2; exit 1; }
    ready=$(sed -n 's/^READY_MS=//p' "$log")
    daemon=$(( $(sed -n 's/^DAEMON_HWM_KB=//p' "$log") / 1024 ))
    spotsh=$(( $(sed -n 's/^SPOTSH_RSS_KB=//p' "$log") / 1024 ))
    echo "$(date -u +%FT%TZ),$n,$ready,$spotsh,$daemon,$(cut -d' ' -f1 /proc/loadavg),$(nproc)" >>"$csv"
    "$root/scripts/spotsh" --state-dir "$state" registry stop >/dev/null
    rm -rf "$state"
done

{
    echo "# Launch to ready on the local cloud ($(date -u +%F), $(nproc) cores)"
    echo
    echo "| nodes | launch → await returns | spotsh peak RSS | local-cloud daemon peak RSS | load (1 min) |"
    echo "|---:|---:|---:|---:|---:|"
    tail -n +2 "$csv" | while IFS=, read -r _ n ready spotsh daemon load _; do
        echo "| $n | $(awk -v ms="$ready" 'BEGIN {printf "%.1f s", ms / 1000}') | $spotsh MiB | $daemon MiB | $load |"
    done
    echo
    echo "Every node boots from the real userdata (phone-home into the embedded registry, storage discovery,"
    echo "role setup) and must answer SSH before await returns. Command: \`scripts/bench/await.sh 50 300\`."
} >"$out/await.md"
cat "$out/await.md"

#!/usr/bin/env bash
# A sane Cassandra ring on the local cloud: for each size N (default 3 and 5), through the product as a user runs
# it (scripts/spotsh -f a plan, embedded registry, real userdata), launch N data nodes and 1 client, await,
# configure (node 1 the seed, the others join on their planned tokens), check (nodetool status and ring on every
# node: N nodes UN, about 1/N of the ring each). Records the times of each step, the time from launch to a sane
# ring, and the peak RSS (VmHWM) of each node's CassandraDaemon (found through its pid file) when the ring is sane.
# Cassandra 5.0.6 and YCSB come from ~/.m2 / Maven Central into one shared tools/ folder (spotsh tools install,
# untimed); each size gets a fresh state directory.
# Usage: scripts/bench/cassandra-local.sh [N...]. Writes scripts/bench/results/cassandra-local.{csv,md}.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/scripts/bench/results"
build="$root/target-bench"
mkdir -p "$out"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(3 5)
cd "$root"
"$root/scripts/spotsh" -e 'null' >/dev/null # build once, untimed
# Cassandra and YCSB fetched once, untimed, into a tools folder every size's state folder shares
tools="$build/cassandra-tools"
"$root/scripts/spotsh" --state-dir "$tools" tools install cassandra >/dev/null

csv="$out/cassandra-local.csv"
[ -f "$csv" ] || echo "date,nodes,launch_to_ready_ms,configure_ms,check_ms,launch_to_sane_ms,node_peak_rss_mib,node_peak_rss_max_mib,all_nodes_peak_rss_mib,load_1m,cores" >"$csv"
for n in "${sizes[@]}"; do
    state=$(mktemp -d "${TMPDIR:-/tmp}/spotsh-bench-cassandra.XXXXXX")
    ln -s "$tools/tools" "$state/tools"
    plan="$state/ring.groovy"
    cat >"$plan" <<PLAN
def ms = { long t -> (System.nanoTime() - t).intdiv(1000000) }
def t0 = System.nanoTime()
cluster.launch(name: "ring-$n", type: 'cassandra', dataNodes: $n, clientNodes: 1, ttl: '30m')
cluster.await(timeout: '10m', every: '2s')
println "READY_MS=" + ms(t0)
def t1 = System.nanoTime()
cluster.configure()
println "CONFIGURE_MS=" + ms(t1)
def t2 = System.nanoTime()
def sane = cluster.check()
println "CHECK_MS=" + ms(t2)
if (!sane.isOk()) throw new RuntimeException("the ring of $n is not sane: " + sane)
println "SANE_MS=" + ms(t0)
// each node's CassandraDaemon through the role script's pid file; VmHWM is its peak resident set so far
def hwm = []
new File("$state/local-cloud/instances").eachDir { d ->
    def pid = new File(d, "var/run/cassandra/cassandra.pid")
    if (pid.exists()) {
        def kb = new File("/proc/\${pid.text.trim()}/status").readLines().find { it.startsWith('VmHWM:') }.split(/\s+/)[1] as long
        hwm << [new File(d, "etc/spotsh/node-number").text.trim() as int, kb.intdiv(1024)]
    }
}
println "NODE_HWM_MIB=" + hwm.sort { it[0] }.collect { it[1] }.join(' ')
cluster.terminate()
PLAN
    log="$state/run.log"
    "$root/scripts/spotsh" --state-dir "$state" -f "$plan" >"$log" 2>&1 || {
        echo "the $n-node ring failed:" >&2; tail -30 "$log" >&2; exit 1; }
    ready=$(sed -n 's/^READY_MS=//p' "$log")
    configure=$(sed -n 's/^CONFIGURE_MS=//p' "$log")
    check=$(sed -n 's/^CHECK_MS=//p' "$log")
    sane=$(sed -n 's/^SANE_MS=//p' "$log")
    nodes=$(sed -n 's/^NODE_HWM_MIB=//p' "$log")
    [ "$(wc -w <<<"$nodes")" -eq "$n" ] || { echo "found $(wc -w <<<"$nodes") Cassandra pids of $n" >&2; exit 1; }
    max=$(tr ' ' '\n' <<<"$nodes" | sort -n | tail -1)
    sum=$(tr ' ' '\n' <<<"$nodes" | paste -sd+ | bc)
    echo "$(date -u +%FT%TZ),$n,$ready,$configure,$check,$sane,${nodes// /;},$max,$sum,$(cut -d' ' -f1 /proc/loadavg),$(nproc)" >>"$csv"
    "$root/scripts/spotsh" --state-dir "$state" registry stop >/dev/null
    pkill -f -- "$state" 2>/dev/null || true  # the local cloud's daemon of that state folder (its instances are gone)
    rm -rf "$state"
done

s() { awk -v ms="$1" 'BEGIN {printf "%.1f s", ms / 1000}'; }
{
    echo "# A sane Cassandra ring on the local cloud ($(date -u +%F), $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GB)"
    echo
    echo "| data nodes | launch → await | configure | check | launch → sane ring | peak RSS per node (node 1..N) | largest | all nodes | load (1 min) |"
    echo "|---:|---:|---:|---:|---:|---|---:|---:|---:|"
    tail -n +2 "$csv" | while IFS=, read -r _ n ready configure check sane nodes max sum load _; do
        echo "| $n | $(s "$ready") | $(s "$configure") | $(s "$check") | $(s "$sane") | ${nodes//;/, } MiB | $max MiB | $sum MiB | $load |"
    done
    echo
    echo "Cassandra 5.0.6 (512 MB heap, 256 MB direct memory, one processor as the JVM sees it) on every data node,"
    echo "plus one client node; sane means nodetool status on every data node lists N nodes UN and nodetool ring"
    echo "gives each about 1/N of the token range. Peak RSS is each CassandraDaemon's VmHWM when the ring is sane"
    echo "(before any load); \"all nodes\" is their sum. Command: \`scripts/bench/cassandra-local.sh 3 5\`."
} >"$out/cassandra-local.md"
cat "$out/cassandra-local.md"

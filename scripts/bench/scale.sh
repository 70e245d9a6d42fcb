#!/usr/bin/env bash
# Scale: the product as a user runs it (scripts/spotsh -f scripts/bench/scale-plan.groovy), on the local cloud, at
# each node count given: REPS repetitions (default 5) of launch → all registered → all answer SSH → `true` on every
# node three times (quiet) → terminate, each repetition in a fresh state dir (a new embedded registry and local cloud
# daemon). Per repetition:
#   launch call, launch → all registered (the registry's count, polled every 0.5 s), launch → ready (await returns);
#   run 1 (cold: new connections), run 2 (the one that starts resident shells), run 3 (warm) wall time;
#   failed nodes per run, with each one's phase and error (scale-failures.log);
#   spotsh's peak RSS (/usr/bin/time %M: the JVM, exec'd by scripts/spotsh) and the local cloud daemon's (VmHWM);
#   the daemon's CPU (/proc/<pid>/stat, 10 ms ticks): its own (launch, the SSH servers of every node) and its reaped
#   children's (the node boots: userdata, phone-home, role setup), per node;
#   the node-side floor: node_floor.py with `true` at the same N after terminate, once the machine settled (the
#   daemon's cleaner deletes the sandboxes after terminate returns) (N login shells of the benchmark's /bin/sh user fed
#   through pipes, no SSH; see fanout.sh), 3 runs, the median.
# Goals (issue 21, at 1000 nodes): 0 failed nodes in every repetition; launch → all registered ≤ 60 s; run 2 no slower
# than run 1; run 3 within 2× the node-side floor; spotsh peak RSS ≤ 600 MB.
# The load average at the start and end of each repetition goes with it: on a shared machine wall times are noisy.
# Usage: [REPS=5] scripts/bench/scale.sh [N...] (default 300 1000; root, for the floor's login user).
# Closer looks: SCALE_NMT=1 with SPOTSH_JAVA_OPTS=-XX:NativeMemoryTracking=summary prints spotsh's native memory and
# heap histogram; SCALE_STACKS=DIR writes thread dumps of spotsh and the daemon 3 s into run 3. Each repetition's
# whole output stays in ${TMPDIR:-/tmp}/spotsh-bench-scale-N-REP.log.
# Writes scripts/bench/results/scale.csv (one row a repetition) and scale.md (medians, goals, ratios).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${SCALE_RESULTS:-"$root/scripts/bench/results"}
reps=${REPS:-5}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(300 1000)
user=spotshbench
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { echo "scale.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [ "$(id -u)" = 0 ] && ! id "$user" >/dev/null 2>&1; then useradd -m -s /bin/sh "$user"; fi
floor_user=$user
[ "$(id -u)" = 0 ] || floor_user=""
# many nodes: one SSH connection and a few pipes each, in spotsh and in the daemon
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
"$root/scripts/spotsh" -e 'null' >/dev/null # build once, untimed

csv="$out/scale.csv"
fails="$out/scale-failures.log"
header="date,nodes,rep,launch_ms,registered_ms,ready_ms,run1_ms,run2_ms,run3_ms,failed1,failed2,failed3,spotsh_rss_mib,daemon_rss_mib,daemon_own_cpu_ms_per_node,node_boot_cpu_ms_per_node,daemon_ssh_cpu_ms_run1,daemon_ssh_cpu_ms_run2,daemon_ssh_cpu_ms_run3,spotsh_cpu_ms_run1,spotsh_cpu_ms_run2,spotsh_cpu_ms_run3,daemon_full_gcs,floor_ms,load_start,load_end,cores,sshj_reader_kib,idle_cores,spotsh_jit_ms_run3,spotsh_gcs_run3"
if [ -f "$csv" ] && [ "$(head -1 "$csv")" != "$header" ] && [ "${header#"$(head -1 "$csv")",}" != "$header" ]; then
    # a history written before the last columns were added: kept, its rows padded with empty values
    python3 - "$csv" "$header" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
width = sys.argv[2].count(",")
open(sys.argv[1], "w").write("\n".join([sys.argv[2]] + [l + "," * (width - l.count(",")) for l in lines[1:]]) + "\n")
PY
fi
[ -f "$csv" ] && [ "$(head -1 "$csv")" = "$header" ] || echo "$header" >"$csv"
: >"$fails"
state=""
cleanup() {
    [ -n "$state" ] || return 0
    "$root/scripts/spotsh" --state-dir "$state" registry stop >/dev/null 2>&1 || true
    rm -rf "$state" # the daemon exits when its state dir is gone
}
trap cleanup EXIT
# busy ticks (1/100 s) of all cores since boot: user, nice, system, irq, softirq, steal
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$2" | head -1; }
# one repetition at $1 nodes ($2: its number); $sshj, when set, is the SSHJ reader buffer in KiB for this one
one_repetition() {
    local n=$1 rep=$2
    state=$(mktemp -d "${TMPDIR:-/tmp}/spotsh-bench-scale.XXXXXX")
    log="$state/run.log"
    load_start=$(cut -d' ' -f1 /proc/loadavg)
    echo "scale: $n nodes, repetition $rep/$reps${sshj:+, SSHJ reader buffer $sshj KiB} (load $load_start) ..." >&2
    SPOTSH_JAVA_OPTS="${SPOTSH_JAVA_OPTS:-} ${sshj:+-Dspotsh.sshjReaderKiB=$sshj}" /usr/bin/time -f "SCALE spotsh_rss_kb=%M" -a -o "$log" \
        "$root/scripts/spotsh" --state-dir "$state" -f "$root/scripts/bench/scale-plan.groovy" "$n" "$state" \
        >>"$log" 2>&1 || { echo "scale: the $n-node run failed:" >&2; tail -20 "$log" >&2; exit 1; }
    "$root/scripts/spotsh" --state-dir "$state" registry stop >/dev/null 2>&1 || true
    # the floor, with the nodes gone and the machine settled: terminate hands the N sandboxes to the daemon's cleaner,
    # and a floor measured while it deletes them would be slower than the nodes' own cost (at most 60 s, then as is)
    for _ in $(seq 60); do
        b0=$(busy_ticks); sleep 1; b1=$(busy_ticks)
        [ $(( b1 - b0 )) -ge 15 ] || break # under 0.15 of a core busy over that second
    done
    # N shells, `true`, 3 runs; the median
    floor=$(python3 "$root/scripts/bench/node_floor.py" "$n" 3 true 0 $floor_user 2>&1 >/dev/null |
        sed -n 's/^run [0-9]*: wall_ms=\([0-9.]*\).*/\1/p' | sort -g | sed -n 2p)
    load_end=$(cut -d' ' -f1 /proc/loadavg)
    runs=() failed=() ssh=() own=()
    for r in 1 2 3; do
        runs+=("$(sed -n "s/^SCALE run=$r wall_ms=\\([0-9]*\\).*/\\1/p" "$log")")
        failed+=("$(sed -n "s/^SCALE run=$r .* failed=\\([0-9]*\\).*/\\1/p" "$log")")
        ssh+=("$(( $(sed -n "s/^SCALE run=$r .* daemon_cpu_ticks=\\([0-9]*\\).*/\\1/p" "$log") * 10 ))")
        own+=("$(sed -n "s/^SCALE run=$r .* spotsh_cpu_ms=\\([0-9]*\\).*/\\1/p" "$log")")
    done
    sed -n "s/^SCALE_FAIL /$n nodes rep $rep: /p" "$log" >>"$fails"
    jit3=$(sed -n "s/^SCALE run=3 .* spotsh_jit_ms=\\([0-9]*\\).*/\\1/p" "$log")
    gcs3=$(sed -n "s/^SCALE run=3 .* spotsh_gcs=\\([0-9]*\\).*/\\1/p" "$log")
    IFS=, read -r own0 own1 own_ready _ <<<"$(field daemon_own_ticks "$log")"
    IFS=, read -r _ _ kids_ready _ <<<"$(field daemon_children_ticks "$log")"
    own_per=$(awk -v t="$own_ready" -v n="$n" 'BEGIN { printf "%.1f", t * 10 / n }')
    kids_per=$(awk -v t="$kids_ready" -v n="$n" 'BEGIN { printf "%.1f", t * 10 / n }')
    echo "$(date -u +%FT%TZ),$n,$rep,$(field launch_ms "$log"),$(field registered_ms "$log"),$(field ready_ms "$log"),$(IFS=,; echo "${runs[*]}"),$(IFS=,; echo "${failed[*]}"),$(( $(field spotsh_rss_kb "$log") / 1024 )),$(( $(field daemon_hwm_kb "$log") / 1024 )),$own_per,$kids_per,$(IFS=,; echo "${ssh[*]}"),$(IFS=,; echo "${own[*]}"),$(field daemon_fgc "$log"),$floor,$load_start,$load_end,$(nproc),${sshj:-36},$(field idle_cores "$log"),$jit3,$gcs3" | tee -a "$csv" >&2
    cp "$log" "${TMPDIR:-/tmp}/spotsh-bench-scale-$n-$rep.log" # the plan's whole output, for a closer look
    cleanup
    state=""
}

sshj=""
for n in "${sizes[@]}"; do
    for ((rep = 1; rep <= reps; rep++)); do
        one_repetition "$n" "$rep"
    done
done
# what spotsh's copy of SSHJ's Reader buys (a 36 KiB receive buffer per connection instead of SSHJ's 256 KiB): one
# repetition at the largest size with SSHJ's own size, for its peak RSS (SCALE_SSHJ_COMPARE=0 skips it)
if [ "${SCALE_SSHJ_COMPARE:-1}" = 1 ]; then
    sshj=256
    one_repetition "${sizes[-1]}" 1
    sshj=""
fi

python3 - "$csv" "$out/scale.md" "$reps" "${sizes[@]}" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
reps = int(sys.argv[3])
sizes = [int(s) for s in sys.argv[4:]]
def med(rs, k): return statistics.median(float(r[k]) for r in rs)
out = ["# Scale on the local cloud (scripts/bench/scale.sh %s, REPS=%d)" % (" ".join(map(str, sizes)), reps), "",
       "Medians over the repetitions of each size's latest REPS rows; failed nodes: the most in any repetition.", "",
       "| nodes | launch call | → all registered | → ready | run 1 (cold) | run 2 (resident shells start) | run 3 (warm) "
       "| node floor | run 3 / floor | run 2 / run 1 | failed (max of run 1/2/3) | spotsh peak RSS | daemon peak RSS "
       "| daemon CPU per node: own, node boot | daemon SSH CPU per node, run 1/2/3 | spotsh CPU per node, run 1/2/3 "
       "| spotsh in run 3: JIT compiling, collections | machine busy, nodes idle | load (start–end) |",
       "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|---|---|---:|---|"]
verdict = []
for n in sizes:
    rs = [r for r in rows if int(r["nodes"]) == n and r.get("sshj_reader_kib", "36") == "36"][-reps:]
    if not rs:
        continue
    s = lambda k: "%.1f s" % (med(rs, k) / 1000)
    fmax = [max(int(r["failed%d" % i]) for r in rs) for i in (1, 2, 3)]
    ssh = "/".join("%.1f ms" % (med(rs, "daemon_ssh_cpu_ms_run%d" % i) / n) for i in (1, 2, 3))
    own = "/".join("%.1f ms" % (med(rs, "spotsh_cpu_ms_run%d" % i) / n) for i in (1, 2, 3))
    loads = "%s–%s" % (min(r["load_start"] for r in rs), max(r["load_end"] for r in rs))
    idle = [float(r["idle_cores"]) for r in rs if r.get("idle_cores")]
    idle = "%.2f of %s cores" % (statistics.median(idle), rs[-1]["cores"]) if idle else "—"
    jit = [r for r in rs if r.get("spotsh_jit_ms_run3")]
    jit = "%.0f ms, %.0f" % (med(jit, "spotsh_jit_ms_run3"), med(jit, "spotsh_gcs_run3")) if jit else "—"
    r31 = med(rs, "run3_ms") / med(rs, "floor_ms")
    r21 = med(rs, "run2_ms") / med(rs, "run1_ms")
    out.append("| %d | %s | %s | %s | %s | %s | %s | %.0f ms | %.1f× | %.2f | %d/%d/%d | %d MiB | %d MiB | %.0f ms, %.0f ms | %s | %s | %s | %s | %s |" % (
        n, s("launch_ms"), s("registered_ms"), s("ready_ms"), s("run1_ms"), s("run2_ms"), s("run3_ms"),
        med(rs, "floor_ms"), r31, r21, *fmax, med(rs, "spotsh_rss_mib"), med(rs, "daemon_rss_mib"),
        med(rs, "daemon_own_cpu_ms_per_node"), med(rs, "node_boot_cpu_ms_per_node"), ssh, own, jit, idle, loads))
    if n >= 1000:
        ok = lambda b: "met" if b else "NOT met"
        verdict += ["Goals at %d nodes:" % n, "",
                    "- 0 failed nodes in every repetition: %s" % ok(sum(fmax) == 0),
                    "- launch → all registered ≤ 60 s: %s (%.1f s, worst %.1f s)" % (
                        ok(max(float(r["registered_ms"]) for r in rs) <= 60000), med(rs, "registered_ms") / 1000,
                        max(float(r["registered_ms"]) for r in rs) / 1000),
                    "- run 2 no slower than run 1: %s (ratio %.2f)" % (ok(r21 <= 1.0), r21),
                    "- run 3 within 2× the node floor: %s (%.1f×; per repetition %.1f–%.1f×)" % (
                        ok(r31 <= 2.0), r31, min(float(r["run3_ms"]) / float(r["floor_ms"]) for r in rs),
                        max(float(r["run3_ms"]) / float(r["floor_ms"]) for r in rs)),
                    "- spotsh peak RSS ≤ 600 MB: %s (max %d MiB)" % (
                        ok(max(int(r["spotsh_rss_mib"]) for r in rs) * 1.048576 <= 600), max(int(r["spotsh_rss_mib"]) for r in rs)),
                    ""]
sshj = [r for r in rows if r.get("sshj_reader_kib") == "256"][-1:]
if sshj:
    n = int(sshj[0]["nodes"])
    ours = [r for r in rows if int(r["nodes"]) == n and r.get("sshj_reader_kib", "36") == "36"][-reps:]
    verdict += ["What the copied SSHJ Reader buys (spotsh's net.schmizz.sshj.transport.Reader, a 36 KiB receive buffer "
                "per connection): spotsh peak RSS at %d nodes %d MiB with it (median), %d MiB with SSHJ's own 256 KiB "
                "(one repetition, -Dspotsh.sshjReaderKiB=256); run 3 %.2f s against %.2f s." % (
                    n, med(ours, "spotsh_rss_mib"), int(sshj[0]["spotsh_rss_mib"]), med(ours, "run3_ms") / 1000,
                    float(sshj[0]["run3_ms"]) / 1000), ""]
out += [""] + verdict + [
    "The daemon's CPU: its own from its start to ready (launch, sandboxes, the SSH handshakes of await), and its reaped "
    "children's (each node's userdata and what it waited for: phone-home, psql, storage, role setup), divided by the "
    "node count; SSH CPU per run: the daemon's own CPU over that run (it is every node's SSH server). Daemon full GCs per repetition: scale.csv. The daemon shares "
    "the cores with spotsh and the nodes, so its CPU is taken from theirs. Machine busy, nodes idle: every core's busy "
    "time over 5 s after run 3 with nothing running (the nodes' interruption watchers and sysstat collectors, the daemon "
    "answering them, spotsh's keepalives), in cores. spotsh in run 3: the JIT's own count of its compiling time "
    "(CompilationMXBean; compiles that run during the warm run take the cores from it) and young collections, medians. "
    "Node floor: node_floor.py at the same N with `true` (no SSH, no "
    "client) after terminate, once the machine settled (under 0.15 of a core busy over a second: the daemon deletes "
    "the sandboxes after terminate returns), the median of 3 runs. Failed nodes: scale-failures.log. "
    "History: scale.csv (load average at each repetition's start and end)."]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY

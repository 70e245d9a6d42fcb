#!/usr/bin/env bash
# report.html at scale: N nodes (default 300) × 1 hour of 10-second sysstat samples (360 a node), one node hot,
# phases and nodes.mark comments, built by `spotsh report RUN_DIR` as a user runs it; then opened in headless
# Chromium (the page's own check must say ok). Two sources of samples:
#   json  each node's sa01.json in sadf -j's shape, generated here (sadc cannot record an hour in the past);
#   sadf  each node has a real binary sa01 (a copy of SA_FILE, e.g. `sadc -S DISK 1 360 FILE`), read with sadf -j
#         as collect() does; skipped when SA_FILE is not given.
# Usage: [SA_FILE=path] scripts/bench/report.sh [N]. Writes scripts/bench/results/report.{csv,md}; the screenshot
# goes to target/artifacts/report-bench.png.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/scripts/bench/results"
mkdir -p "$out" "$root/target/artifacts"
n=${1:-300}
"$root/scripts/spotsh" -e 'null' >/dev/null # build once, untimed
work=$(mktemp -d "${TMPDIR:-/tmp}/spotsh-bench-report.XXXXXX")
trap 'rm -rf "$work"' EXIT

make_run() { # $1 run dir, $2 json|sadf
    python3 - "$1" "$n" "$2" "${SA_FILE:-}" <<'PY'
import json, os, random, shutil, sys, datetime as dt
run, n, mode, sa = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
start = dt.datetime(2026, 3, 14, 9, 0, 0)
phases = [("load", 0, 900), ("read", 900, 2700), ("update", 2700, 3600)]
hot = n // 2
random.seed(1)
for i in range(1, n + 1):
    node = os.path.join(run, "data-%d" % i)
    os.makedirs(os.path.join(node, "sysstat"))
    if mode == "sadf":
        shutil.copy(sa, os.path.join(node, "sysstat", "sa01"))
        continue
    stats = []
    for k in range(360):
        t = start + dt.timedelta(seconds=10 * k)
        busy = 92.0 if i == hot else 25 + 10 * random.random()
        stats.append({"timestamp": {"date": t.strftime("%Y-%m-%d"), "time": t.strftime("%H:%M:%S"), "utc": 1, "interval": 10},
            "cpu-load": [{"cpu": "all", "user": round(busy * .7, 2), "nice": 0.0, "system": round(busy * .25, 2),
                          "iowait": round(busy * .04, 2), "steal": round(busy * .01, 2), "idle": round(100 - busy, 2)}],
            "memory": {"memused-percent": round(40 + random.random() * 5, 2)},
            "disk": [{"disk-device": "nvme1n1", "rkB": round(random.random() * 5e4, 2), "wkB": round(random.random() * 8e4, 2), "util-percent": round(random.random() * 60, 2)}],
            "network": {"net-dev": [{"iface": "lo", "rxkB": 1.0, "txkB": 1.0},
                                     {"iface": "ens5", "rxkB": round(random.random() * 3e4, 2), "txkB": round(random.random() * 3e4, 2)}]}})
    comments = [{"comment": {"date": "2026-03-14", "time": (start + dt.timedelta(seconds=s)).strftime("%H:%M:%S"), "utc": 1,
                             "com": "phase %s start" % p}} for p, s, e in phases]
    doc = {"sysstat": {"hosts": [{"nodename": "data-%d" % i, "statistics": stats, "restarts": [], "comments": comments}]}}
    # the same output sadf -j gives, cached beside the binary file's name
    with open(os.path.join(node, "sysstat", "sa14.json"), "w") as f:
        json.dump(doc, f)
    open(os.path.join(node, "sysstat", "sa14"), "w").close()
iso = lambda s: (start + dt.timedelta(seconds=s)).isoformat() + "Z"
json.dump({"test": "bench", "run": "run-1", "type": "generic", "provider": "local", "sizing": {"data": n},
           "phases": [{"name": p, "status": "ok", "started_at": iso(s), "finished_at": iso(e)} for p, s, e in phases]},
          open(os.path.join(run, "run.json"), "w"))
with open(os.path.join(run, "summary.csv"), "w") as f:
    f.write("test,run,phase,role,node,operation,metric,value,unit,aggregate\n")
    for p, s, e in phases:
        f.write("bench,run-1,%s,data,all,OVERALL,throughput,%d,ops/s,sum of %d\n" % (p, 1000 * n, n))
PY
}

csv="$out/report.csv"
[ -f "$csv" ] || echo "date,nodes,source,build_s,build_peak_rss_mib,html_mib,chromium_render_s,status,load_1m,cores" >"$csv"
modes=(json)
[ -n "${SA_FILE:-}" ] && modes+=(sadf)
for mode in "${modes[@]}"; do
    run="$work/$mode/bench/run-1"
    mkdir -p "$run"
    make_run "$run" "$mode"
    /usr/bin/time -f "BUILD %e %M" -o "$work/time" "$root/scripts/spotsh" report "$run" >/dev/null
    read -r _ build rss <"$work/time"
    mib=$(awk -v b="$(stat -c %s "$run/report.html")" 'BEGIN { printf "%.1f", b / 1048576 }')
    profile=$(mktemp -d "$work/chromium.XXXXXX")
    flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
           --disable-component-update --disable-sync --user-data-dir="$profile")
    t0=$(date +%s.%N)
    dom=$(chromium "${flags[@]}" --dump-dom "file://$run/report.html" 2>/dev/null)
    render=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    status=$(sed -n 's/.*data-status="\([^"]*\)".*/\1/p' <<<"$dom" | head -1)
    [ "$mode" = json ] && chromium "${flags[@]}" --window-size=1400,3000 --screenshot="$root/target/artifacts/report-bench.png" \
        "file://$run/report.html" >/dev/null 2>&1
    echo "$(date -u +%FT%TZ),$n,$mode,$build,$((rss / 1024)),$mib,$render,${status:-none},$(cut -d' ' -f1 /proc/loadavg),$(nproc)" >>"$csv"
    echo "$mode: built in ${build}s (peak RSS $((rss / 1024)) MiB, JVM start included), ${mib} MiB, Chromium ${render}s, page says: ${status:-nothing}"
done
{
    echo "# report.html at scale"
    echo
    echo "\`scripts/bench/report.sh\`: N nodes × 1 hour of 10 s sysstat samples; build = \`spotsh report\` wall time (JVM start included); render = headless Chromium --dump-dom wall time (start included)."
    echo
    echo "| date | nodes | source | build s | build peak RSS MiB | html MiB | Chromium s | page | load 1m | cores |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    tail -n +2 "$csv" | tr ',' '|' | sed 's/^/|/; s/$/|/'
} >"$out/report.md"

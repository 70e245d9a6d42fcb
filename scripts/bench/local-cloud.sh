#!/usr/bin/env bash
# Local cloud at a 300-node test's scale: launch N instances (default 300) with the real userdata (phone-home to an
# embedded registry, storage discovery, generic role), wait until every one registered, terminate them all;
# records the launch call's time (the daemon already running), time until all registered, terminate time and
# the daemon's peak RSS. Builds the test classes in its own folder (target-bench) and uses a fresh state dir.
# Usage: scripts/bench/local-cloud.sh [nodes]. Writes scripts/bench/results/local-cloud.{csv,md}.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
nodes=${1:-300}
out="$root/scripts/bench/results"
build="$root/target-bench"
mkdir -p "$out"
cd "$root"
mvn -B -q -o -Dspotsh.build.dir="$build" test-compile
mvn -B -q -o -Dspotsh.build.dir="$build" dependency:build-classpath -Dmdep.outputFile="$build/classpath.txt" >/dev/null
state=$(mktemp -d "${TMPDIR:-/tmp}/spotsh-bench-local.XXXXXX")
trap 'rm -rf "$state"' EXIT

line=$(java -cp "$build/test-classes:$build/classes:$(cat "$build/classpath.txt")" \
    io.spotsh.cloud.local.LocalCloudBenchmark "$state" "$nodes")
IFS=, read -r n launch_ms registered_ms terminate_ms peak_mib after_mib warm_ms <<<"$line"
# the daemon logs how long its own part of a launch took: "launched 300 ... in 812 ms: i-..." (the first one)
daemon_ms=$(sed -n 's/.* launched [0-9]* .* in \([0-9]*\) ms: .*/\1/p' "$state/local-cloud/daemon.log" | head -1)

csv="$out/local-cloud.csv"
[ -f "$csv" ] || echo "date,nodes,launch_ms,all_registered_ms,terminate_ms,daemon_peak_rss_mib,daemon_rss_after_mib,warm_launch_ms,cores" >"$csv"
echo "$(date -u +%FT%TZ),$line,$(nproc)" >>"$csv"
cat >"$out/local-cloud.md" <<MD
# Local cloud at $n instances ($(date -u +%F), $(nproc) cores)

| what | figure |
|---|---|
| first launch call ($n instances, daemon started), as the client sees it | $launch_ms ms |
| of which the daemon's own work (ids, host keys, sandboxes, records) | $daemon_ms ms |
| the same launch again in the warmed-up daemon | $warm_ms ms |
| launch to all $n registered (real userdata, phone-home, generic role) | $registered_ms ms |
| terminate all $n | $terminate_ms ms |
| daemon peak RSS | $peak_mib MiB |
| daemon RSS after terminating | $after_mib MiB |

History in local-cloud.csv.
MD
cat "$out/local-cloud.md"

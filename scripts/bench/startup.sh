#!/usr/bin/env bash
# Start-up benchmark: median wall time of `spotsh -e 'println 1'` (the launcher, as a user runs it) next to
# Groovy's own `groovy -e 'println 1'` on the same JVM (the `groovy` CLI when installed, else GroovyMain
# from the same groovy jar spotsh ships), and of a plan's first cold fan-out: a fresh spotsh process that
# works on a running 2-node local test and runs `true` on its nodes (JVM, registry, SSH handshakes, the run).
# On Java 25+ the launcher keeps an AOT cache; the same runs with SPOTSH_AOT=off show the class-data archive
# it replaces. Tools are timed in turn within each round, so a load change on the machine hits all alike.
# Goal: spotsh -e <= 0.6x Groovy.
# Usage: [JAVA_HOME=...] scripts/bench/startup.sh [runs] [--no-fanout]   (default 11 runs).
# Writes scripts/bench/results/startup-java<major>.{csv,md}.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-11}
fanout=yes
[ "${2:-}" = --no-fanout ] && fanout=no
out="$root/scripts/bench/results"
mkdir -p "$out"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
javabin=$(readlink -f "$(command -v "$java")")
major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$(dirname "$(dirname "$javabin")")/release" 2>/dev/null || true)
major=${major:-unknown}

groovy_version=$(sed -n 's:.*<groovy.version>\(.*\)</groovy.version>.*:\1:p' "$root/pom.xml")
groovy_jar="$HOME/.m2/repository/org/apache/groovy/groovy/$groovy_version/groovy-$groovy_version.jar"
# builds the jar and the archive or cache once, untimed (each JVM keeps its own)
"$root/scripts/spotsh" -e 'null' >/dev/null
SPOTSH_AOT=off "$root/scripts/spotsh" -e 'null' >/dev/null

if command -v groovy >/dev/null 2>&1; then
    baseline_name="groovy -e"
    baseline=(groovy -e 'println 1')
else
    [ -f "$groovy_jar" ] || { echo "no groovy jar at $groovy_jar (run mvn package first)" >&2; exit 2; }
    baseline_name="java -cp groovy-$groovy_version.jar groovy.ui.GroovyMain -e"
    baseline=("$java" -cp "$groovy_jar" groovy.ui.GroovyMain -e 'println 1')
fi

# one timed run in ms of "$@"; checks the command's last line of output is 1
timed() {
    local start end said
    start=$(date +%s%N)
    said=$("$@" 2>&1)
    end=$(date +%s%N)
    [ "$(tail -n 1 <<<"$said")" = "1" ] || { printf 'unexpected output from %s:\n%s\n' "$*" "$said" >&2; exit 1; }
    echo $(( (end - start) / 1000000 ))
}
median() {
    tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

"${baseline[@]}" >/dev/null # warm the page cache for both before timing
launcher=() cds=() plain=() groovy=()
for ((i = 0; i < runs; i++)); do
    launcher+=("$(timed "$root/scripts/spotsh" -e 'println 1')")
    cds+=("$(timed env SPOTSH_AOT=off "$root/scripts/spotsh" -e 'println 1')")
    plain+=("$(timed "$java" -jar "$root/target/spotsh.jar" -e 'println 1')")
    groovy+=("$(timed "${baseline[@]}")")
done
launcher_ms=$(median "${launcher[*]}")
cds_ms=$(median "${cds[*]}")
plain_ms=$(median "${plain[*]}")
groovy_ms=$(median "${groovy[*]}")
ratio() { awk -v a="$1" -v b="$groovy_ms" 'BEGIN {printf "%.2f", a / b}'; }

# A plan's first cold fan-out: every timed process is a new JVM against a kept 2-node local test.
fan_ms="" fan_cds_ms="" fan_runs=0
if [ "$fanout" = yes ]; then
    state=$(mktemp -d /tmp/spotsh-startup-bench.XXXXXX)
    name="startup-$$"
    spotsh=("$root/scripts/spotsh" --state-dir "$state" --provider local)
    cleanup() {
        "${spotsh[@]}" -e "cluster.use('$name'); cluster.terminate(); new io.spotsh.cloud.local.LocalProvider(new io.spotsh.common.StateDir(new File('$state').toPath()), [:]).withCloseable { it.stopDaemon(true) }; null" >/dev/null 2>&1 || true
        "$root/scripts/spotsh" --state-dir "$state" registry stop >/dev/null 2>&1 || true
        rm -rf "$state"
    }
    trap cleanup EXIT
    "${spotsh[@]}" -e "cluster.launch(name: '$name', dataNodes: 2, clientNodes: 0, keep: true); cluster.await(timeout: '3m', every: '1s'); null" >/dev/null
    plan="$state/first-fanout.groovy"
    printf '%s\n' "cluster.use(args[0])" "def r = nodes.run(quiet: true, 'true')" "assert r.allOk() && r.size() == 2 : r.summary()" "println 1" > "$plan"
    fan=() fan_cds=()
    fan_runs=$(( (runs + 1) / 2 ))
    for ((i = 0; i < fan_runs; i++)); do
        fan+=("$(timed "${spotsh[@]}" -f "$plan" "$name")")
        fan_cds+=("$(timed env SPOTSH_AOT=off "${spotsh[@]}" -f "$plan" "$name")")
    done
    fan_ms=$(median "${fan[*]}")
    fan_cds_ms=$(median "${fan_cds[*]}")
fi

when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
jv=$("$java" -version 2>&1 | head -1)
if [ "$major" != unknown ] && [ "$major" -ge 25 ]; then
    kind="AOT cache (-XX:AOTCache)"
else
    kind="class-data archive (the JVM has no AOT cache)"
fi
{
    echo "date,java,tool,runs,median_ms,ratio_to_groovy"
    echo "$when,$major,scripts/spotsh -e ($kind),$runs,$launcher_ms,$(ratio "$launcher_ms")"
    echo "$when,$major,SPOTSH_AOT=off scripts/spotsh -e (class-data archive),$runs,$cds_ms,$(ratio "$cds_ms")"
    echo "$when,$major,java -jar target/spotsh.jar -e (no launcher flags),$runs,$plain_ms,$(ratio "$plain_ms")"
    echo "$when,$major,$baseline_name,$runs,$groovy_ms,1.00"
    if [ -n "$fan_ms" ]; then
        echo "$when,$major,first cold fan-out: spotsh -f plan (2 local nodes; $kind),$fan_runs,$fan_ms,"
        echo "$when,$major,first cold fan-out: SPOTSH_AOT=off spotsh -f plan (class-data archive),$fan_runs,$fan_cds_ms,"
    fi
} > "$out/startup-java$major.csv"
{
    echo "# Start-up on Java $major: \`println 1\` and a plan's first fan-out ($when; median, tools alternating; $jv, $(nproc) cores)"
    echo
    echo "| tool | runs | median ms | × groovy |"
    echo "|---|---:|---:|---:|"
    echo "| \`scripts/spotsh -e 'println 1'\` — $kind | $runs | $launcher_ms | $(ratio "$launcher_ms") |"
    echo "| \`SPOTSH_AOT=off scripts/spotsh -e 'println 1'\` — class-data archive | $runs | $cds_ms | $(ratio "$cds_ms") |"
    echo "| \`java -jar target/spotsh.jar -e 'println 1'\` (no launcher flags) | $runs | $plain_ms | $(ratio "$plain_ms") |"
    echo "| \`$baseline_name 'println 1'\` | $runs | $groovy_ms | 1.00 |"
    if [ -n "$fan_ms" ]; then
        echo "| first cold fan-out: \`spotsh -f plan\` (cluster.use, nodes.run 'true' on 2 local nodes) — $kind | $fan_runs | $fan_ms | |"
        echo "| first cold fan-out, \`SPOTSH_AOT=off\` — class-data archive | $fan_runs | $fan_cds_ms | |"
    fi
    echo
    echo "Goal: spotsh -e ≤ 0.6× groovy. The launcher adds a class-data-sharing archive (Java 25+: an AOT cache made"
    echo "by one training run) and, for one-liners, C1-only compilation with the serial collector; the plain"
    echo "\`java -jar\` row shows what those buy. On a JVM without AOT cache both launcher rows use the archive."
} > "$out/startup-java$major.md"
cat "$out/startup-java$major.md"

#!/usr/bin/env bash
# Start-up benchmark: median wall time of `spotsh -e 'println 1'` (the launcher, as a user runs it) next to
# Groovy's own `groovy -e 'println 1'` on the same JVM (the `groovy` CLI when installed, else GroovyMain
# from the same groovy jar spotsh ships). Goal: spotsh <= 0.6x Groovy.
# Usage: scripts/bench/startup.sh [runs]   (default 11). Writes scripts/bench/results/startup.{csv,md}.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-11}
out="$root/scripts/bench/results"
mkdir -p "$out"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

groovy_version=$(sed -n 's:.*<groovy.version>\(.*\)</groovy.version>.*:\1:p' "$root/pom.xml")
groovy_jar="$HOME/.m2/repository/org/apache/groovy/groovy/$groovy_version/groovy-$groovy_version.jar"
"$root/scripts/spotsh" -e 'null' >/dev/null # builds the jar and the class-data archive once, untimed

if command -v groovy >/dev/null 2>&1; then
    baseline_name="groovy -e"
    baseline=(groovy -e 'println 1')
else
    [ -f "$groovy_jar" ] || { echo "no groovy jar at $groovy_jar (run mvn package first)" >&2; exit 2; }
    baseline_name="java -cp groovy-$groovy_version.jar groovy.ui.GroovyMain -e"
    baseline=("$java" -cp "$groovy_jar" groovy.ui.GroovyMain -e 'println 1')
fi

# median of $runs wall times in milliseconds; checks the command really printed 1
measure() {
    local times=() start end i
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        result=$("$@")
        end=$(date +%s%N)
        [ "$result" = "1" ] || { echo "unexpected output from $*: $result" >&2; exit 1; }
        times+=($(( (end - start) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

"${baseline[@]}" >/dev/null # warm the page cache for both before timing
spotsh_ms=$(measure "$root/scripts/spotsh" -e 'println 1')
plain_ms=$(measure "$java" -jar "$root/target/spotsh.jar" -e 'println 1')
groovy_ms=$(measure "${baseline[@]}")
ratio=$(awk -v a="$spotsh_ms" -v b="$groovy_ms" 'BEGIN {printf "%.2f", a / b}')
plain_ratio=$(awk -v a="$plain_ms" -v b="$groovy_ms" 'BEGIN {printf "%.2f", a / b}')
when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
jv=$("$java" -version 2>&1 | head -1)

{
    echo "date,tool,runs,median_ms,ratio_to_groovy"
    echo "$when,scripts/spotsh -e,$runs,$spotsh_ms,$ratio"
    echo "$when,java -jar target/spotsh.jar -e (no launcher flags),$runs,$plain_ms,$plain_ratio"
    echo "$when,$baseline_name,$runs,$groovy_ms,1.00"
} > "$out/startup.csv"
{
    echo "# Start-up: \`println 1\` ($when, $runs runs each, median; $jv, $(nproc) cores)"
    echo
    echo "| tool | median ms | × groovy |"
    echo "|---|---:|---:|"
    echo "| \`scripts/spotsh -e 'println 1'\` | $spotsh_ms | $ratio |"
    echo "| \`java -jar target/spotsh.jar -e 'println 1'\` (no launcher flags) | $plain_ms | $plain_ratio |"
    echo "| \`$baseline_name 'println 1'\` | $groovy_ms | 1.00 |"
    echo
    echo "Goal: spotsh ≤ 0.6× groovy. The launcher adds a class-data-sharing archive and, for one-liners,"
    echo "C1-only compilation with the serial collector; the plain \`java -jar\` row shows what those buy."
} > "$out/startup.md"
cat "$out/startup.md"

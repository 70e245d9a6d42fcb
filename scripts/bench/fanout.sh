#!/usr/bin/env bash
# Fan-out benchmark: spotsh's engine against `xargs -P 64 ssh`, `pdsh -R ssh -f 64` and `clush -f 64`,
# on the same machine, in the same run, against the same endpoints: one OpenSSH sshd per node on its own
# 127.77.x.y address with its own ed25519 host key (MaxStartups 1000:30:1000, MaxSessions 64, UseDNS no,
# UsePAM no), a dedicated login user whose shell is /bin/sh, one client key, one known_hosts, one KEX
# (curve25519-sha256) and one host key type (ssh-ed25519) for every tool.
#
# Commands: true, uname -a, 1 MiB of output, sleep 2. Cold: new connections every run. Warm: spotsh with its
# connections already open (one JVM, runs timed inside it); the OpenSSH tools through a ControlPersist master per
# node (opened untimed; the masters' CPU is added to the client's). Every node's output is checked to arrive
# exactly once. Reported: median wall time over the runs, client CPU (user+sys, children included) and peak RSS
# (/usr/bin/time's %M: the largest single process). Last, a failure run: 5% of the endpoints closed and 5%
# black-holed (they accept TCP but never speak), with a 5 s connect timeout for every tool.
#
# The node side alone (node_floor.py, FANOUT_FLOOR=1): for each warm command, N login shells of the same user fed
# the same commands as spotsh's resident shells, through pipes from one process with no SSH: the wall time no
# client can beat on this machine, as its nodes share the client's cores.
#
# spotsh has three cold figures, each run in a new JVM:
#   cold           process-cold: JVM start, engine set-up and the fan-out on new connections, timed from outside;
#   cold-inproc    connection-cold in a running JVM (as in the shell, whose JVM is long up when nodes.run first
#                  connects): new connections and the command, wall and the process's CPU over just that fan-out,
#                  the JIT not warmed at all;
#   cold-inproc-jit  the same after the JIT saw 300 handshakes to 50 *other* endpoints (6 rounds of connect, run,
#                  disconnect; those sshds are not among the N measured);
#   cold-inproc-steady  one JVM whose JIT first saw 1500 handshakes to those other endpoints (30 rounds), then every
#                  run on new connections to the N measured, timed inside it: the engine's own cost per new
#                  connection once a long-running shell's JIT has settled, without the JVM's one-time costs.
# The harness (FanoutBench, a test class) runs on the shaded product jar (target-fanout/spotsh.jar, as scripts/spotsh
# runs it) with scripts/jvm.options and a class-data archive trained as scripts/spotsh trains its own. Also measured:
# the sshd side's own CPU per connection (the listeners' CPU and their reaped children's, from /proc), which bounds
# how fast any client can be here.
#
# spotsh's own SSH crypto pieces (io.spotsh.fanout.ssh.crypto.SshCrypto: kex, ed25519, gcm) against SSHJ's
# algorithms: FANOUT_CRYPTO="all none -kex -ed25519 -gcm" measures spotsh once per setting, each a row of its
# own (tool spotsh:crypto=SETTING; "all", the product's default, stays plain spotsh), cold and warm (resident
# shells); the in-JVM cold figures and warm-sessions only for plain spotsh. The report shows them side by side.
#
# Usage: scripts/bench/fanout.sh    (root; env: FANOUT_SIZES="50 300", FANOUT_RUNS=5, FANOUT_TOOLS, FANOUT_COMMANDS,
#                                    FANOUT_FAILURE=1, FANOUT_INPROC=1, FANOUT_FLOOR=1, FANOUT_RESULTS=dir,
#                                    FANOUT_CRYPTO="all" (spotsh's crypto settings, see above),
#                                    SPOTSH_BENCH_JAVA_OPTS,
#                                    FANOUT_SPOTSH_ARGS: more FanoutBench options, e.g. --profile)
# Writes scripts/bench/results/fanout.csv and fanout.md. Installs what is missing (apt-get: openssh-server,
# openssh-client, pdsh, clustershell, time, maven, a JDK) on a Debian machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sizes=${FANOUT_SIZES:-"50 300"}
runs=${FANOUT_RUNS:-5}
tools=${FANOUT_TOOLS:-"xargs pdsh clush spotsh"}
commands=${FANOUT_COMMANDS:-"true uname 1mib sleep2"}
crypto=${FANOUT_CRYPTO:-all}
failure=${FANOUT_FAILURE:-1}
inproc=${FANOUT_INPROC:-1}
floor=${FANOUT_FLOOR:-1}
spare=50          # extra endpoints, only for the JIT warm-up of cold-inproc-jit
warmup_rounds=6   # 6 x 50 = 300 handshakes
steady_rounds=30  # 30 x 50 = 1500 handshakes before the steady runs
results=${FANOUT_RESULTS:-"$root/scripts/bench/results"}
user=spotshbench
port=2222
fanout=64
build="$root/target-fanout"
# the JVM options scripts/spotsh starts spotsh with
java_opts=${SPOTSH_BENCH_JAVA_OPTS:-"$(grep -v -e '^#' -e '^$' "$root/scripts/jvm.options" | tr '\n' ' ')-Xlog:disable"}

[ "$(id -u)" = 0 ] || { echo "fanout.sh: run as root (it installs packages, starts sshd instances and needs a login user)" >&2; exit 2; }

# --- what the benchmark needs, installed when missing (Debian package names) ---------------------------------------
need=()
for pair in /usr/sbin/sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client pdsh:pdsh clush:clustershell \
            /usr/bin/time:time java:default-jdk-headless jar:default-jdk-headless mvn:maven python3:python3 \
            flock:util-linux getconf:libc-bin; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "fanout.sh: installing ${need[*]} ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >&2
fi

# the tools of the size-by-command steps: spotsh once per crypto setting ("all" is plain spotsh)
measured=""
for tool in $tools; do
    if [ "$tool" = spotsh ]; then
        for c in $crypto; do
            if [ "$c" = all ]; then measured+=" spotsh"; else measured+=" spotsh:crypto=$c"; fi
        done
    else
        measured+=" $tool"
    fi
done

max_n=0
for n in $sizes; do [ "$n" -gt "$max_n" ] && max_n=$n; done
all_n=$((max_n + spare))
work=$(mktemp -d /tmp/spotsh-fanout-bench.XXXXXX)
# The tools' output (up to 1.6 GB per step) goes to memory when /dev/shm is there: on disk, the write-back of one
# step's output slowed the next step's writes (client system CPU of a warm 1 MiB run rose from 0.3 to 0.9 s run
# after run, whichever tool came first).
outdir=$work
if [ -d /dev/shm ] && [ -w /dev/shm ]; then outdir=$(mktemp -d /dev/shm/spotsh-fanout-bench.XXXXXX); fi
out="$outdir/out"
chmod 755 "$work"
mkdir -p "$work/cfg" "$work/hk" "$work/pid" "$work/cm" "$work/log"

cleanup() {
    set +e
    for f in "$work"/cm/*; do [ -S "$f" ] && ssh -F "$work/ssh_warm" -o ControlPath="$f" -O exit x >/dev/null 2>&1; done
    [ -f "$work/blackhole.pid" ] && kill "$(cat "$work/blackhole.pid")" 2>/dev/null
    for f in "$work"/pid/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
    sleep 0.5
    for f in "$work"/pid/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
    rm -rf "$work" "$outdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

addr() { echo "127.77.$((($1 - 1) / 200)).$((($1 - 1) % 200 + 1))"; }

# --- the login user: /bin/sh, not locked (UsePAM no refuses locked accounts), no password ---------------------
if ! id "$user" >/dev/null 2>&1; then
    useradd -m -s /bin/sh "$user"
fi
usermod -s /bin/sh -p '*' "$user"
mkdir -p /run/sshd

# --- keys, known_hosts and client configs shared by every tool ------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -C spotsh-bench -f "$work/client_ed25519"
cp "$work/client_ed25519.pub" "$work/authorized_keys"
chmod 644 "$work/authorized_keys"
common="User $user
Port $port
IdentityFile $work/client_ed25519
IdentitiesOnly yes
UserKnownHostsFile $work/known_hosts
GlobalKnownHostsFile /dev/null
StrictHostKeyChecking yes
KexAlgorithms curve25519-sha256
HostKeyAlgorithms ssh-ed25519
BatchMode yes
LogLevel ERROR
ConnectTimeout 10"
printf 'Host *\n%s\nControlMaster no\nControlPath none\n' "$common" > "$work/ssh_cold"
printf 'Host *\n%s\nControlMaster no\nControlPath %s/cm/%%C\n' "$common" "$work" > "$work/ssh_warm"
printf 'Host *\n%s\nControlMaster yes\nControlPersist yes\nControlPath %s/cm/%%C\n' "$common" "$work" > "$work/ssh_master"
sed 's/^ConnectTimeout 10/ConnectTimeout 5/' "$work/ssh_cold" > "$work/ssh_failure"

# --- one sshd per node (and $spare more for the JIT warm-up) -------------------------------------------------------
echo "starting $all_n sshd instances on 127.77.x.y:$port ..." >&2
: > "$work/known_hosts"
for ((i = 1; i <= all_n; i++)); do
    a=$(addr "$i")
    ssh-keygen -q -t ed25519 -N '' -C "node-$i" -f "$work/hk/$i"
    echo "[$a]:$port $(cut -d' ' -f1,2 "$work/hk/$i.pub")" >> "$work/known_hosts"
    cat > "$work/cfg/$i" <<EOF
ListenAddress $a:$port
HostKey $work/hk/$i
PidFile $work/pid/$i.pid
MaxStartups 1000:30:1000
MaxSessions 64
UseDNS no
UsePAM no
StrictModes no
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
KexAlgorithms curve25519-sha256
HostKeyAlgorithms ssh-ed25519
AllowUsers $user
PrintMotd no
PrintLastLog no
LogLevel ERROR
Subsystem sftp internal-sftp
EOF
    /usr/sbin/sshd -f "$work/cfg/$i" -E "$work/log/$i"
done
for ((i = 1; i <= all_n; i++)); do
    for _ in $(seq 1 100); do [ -s "$work/pid/$i.pid" ] && break; sleep 0.05; done
    [ -s "$work/pid/$i.pid" ] || { echo "sshd $i did not start: $(cat "$work/log/$i")" >&2; exit 1; }
done

# --- the spotsh harness: the shaded product jar (as scripts/spotsh runs it) plus a class-data archive ------------
# (the product jar matters: Maven's classpath would load BouncyCastle from its signed jar, verified at every start)
echo "building the product jar into $build ..." >&2
(cd "$root" && { mvn -B -q -o -Dspotsh.build.dir="$build" -DskipTests package >&2 2>/dev/null \
    || mvn -B -q -Dspotsh.build.dir="$build" -DskipTests package >&2; })
# the harness lives with the tests (src/test/java/io/spotsh/fanout/bench); a jar of its own goes after the product's
# on the class path, so the product jar's class-data archive still applies
jar cf "$build/fanout-bench.jar" -C "$build/test-classes" io/spotsh/fanout/bench
classpath="$build/spotsh.jar:$build/fanout-bench.jar"
jsa="$work/bench.jsa"
uname_line=$(uname -a)
xline=$(head -c 1023 /dev/zero | tr '\0' x)
command_of() {
    case "$1" in
        true) echo "true" ;;
        uname) echo "uname -a" ;;
        1mib) echo "head -c 1047552 /dev/zero | tr '\\0' x | fold -w 1023; echo" ;; # 1024 lines, exactly 1 MiB
        sleep2) echo "sleep 2" ;;
    esac
}

# the bytes of stdout each node prints for a command
expected_bytes() {
    case "$1" in
        uname) echo $((${#uname_line} + 1)) ;;
        1mib) echo 1048576 ;;
        *) echo 0 ;;
    esac
}

# --- node lists for size n ----------------------------------------------------------------------------------------
lists() {
    local n=$1 i a
    : > "$work/hosts"
    : > "$work/targets"
    for ((i = 1; i <= n; i++)); do
        a=$(addr "$i")
        echo "$a" >> "$work/hosts"
        echo "$a $a $port $(cut -d' ' -f1,2 "$work/hk/$i.pub")" >> "$work/targets"
    done
    nodeset=$(paste -sd, "$work/hosts")
    : > "$work/spare"
    for ((i = max_n + 1; i <= all_n; i++)); do
        a=$(addr "$i")
        echo "$a $a $port $(cut -d' ' -f1,2 "$work/hk/$i.pub")" >> "$work/spare"
    done
}

# new_step NAME N RUNS: empties the output, error and time files before a step. The output file is first filled
# with zeros as large as the step's output (untimed) and the tools then write over it from its start (run_tool):
# this machine is a VM whose host backs guest memory on first touch, and writing 300 MiB into memory the guest had
# not used for a while cost about 1 s more system CPU than into memory already backed (dd: 0.1 s against 1.0 s
# per 300 MiB past the first 1.5 GB), landing on whichever tool wrote most at the time.
new_step() {
    local per_node lines bytes
    : > "$out"; : > "$work/err"; : > "$work/time"
    per_node=$(expected_bytes "$1")
    [ "$per_node" -ge 65536 ] || return 0
    lines=$(( per_node / 1024 ))
    bytes=$(( $2 * $3 * (per_node + lines * 32) ))  # each line with its node's prefix
    dd if=/dev/zero of="$out" bs=1M count=$(( bytes / 1048576 + 1 )) status=none
}

# run_tool TOOL MODE COMMAND RUNS CONFIG [extra args]: stdout -> $work/out, stderr -> $work/err, time -> $work/time
# stdout goes over what new_step put in $out, from its start, through one descriptor shared by every process of the
# tool (as with >>, writes never overlap); at the end the file is cut where the tool's output ends
run_tool() {
    local tool=$1 mode=$2 cmd=$3 count=$4 cfg=$5 fd rc=0 end
    shift 5
    local timing=(/usr/bin/time -f '%e %U %S %M' -a -o "$work/time") warm=() pieces=()
    case "$tool" in spotsh:crypto=*) pieces=(--crypto "${tool#spotsh:crypto=}") ;; esac
    case "$mode" in
        warm) warm=(--warm) ;;
        warm-sessions) warm=(--warm --sessions) ;;
        cold-inproc) warm=(--mode fresh) ;;
        cold-inproc-jit) warm=(--mode fresh --jit-warmup "$work/spare" --jit-warmup-rounds $warmup_rounds) ;;
        cold-inproc-steady) warm=(--mode fresh --jit-warmup "$work/spare" --jit-warmup-rounds $steady_rounds) ;;
    esac
    exec {fd}<>"$out"
    case "$tool" in
        xargs) "${timing[@]}" xargs -a "$work/hosts" -P $fanout -I{} ssh -F "$cfg" -n {} "$cmd" ;;
        pdsh) PDSH_SSH_ARGS="-F $cfg -x -l%u %h" "${timing[@]}" pdsh -R ssh -f $fanout -t 5 -l $user -w "^$work/hosts" "$cmd" ;;
        clush) "${timing[@]}" clush --nostdin -f $fanout -t 5 -l $user -o "-F $cfg" -w "$nodeset" "$cmd" ;;
        spotsh*) "${timing[@]}" java $java_opts ${jsa_opt:-} -cp "$classpath" io.spotsh.fanout.bench.FanoutBench \
            --targets "$work/targets" --key "$work/client_ed25519" --user $user --command "$cmd" --runs "$count" \
            "${warm[@]}" "${pieces[@]}" ${FANOUT_SPOTSH_ARGS:-} "$@" ;;
    esac >&"$fd" 2>> "$work/err" < /dev/null || rc=$?
    end=$(awk '$1 == "pos:" { print $2 }' "/proc/$BASHPID/fdinfo/$fd")
    exec {fd}>&-
    truncate -s "$end" "$out"
    if [ "${tool%%:*}" = spotsh ] && [ -n "${FANOUT_SPOTSH_ARGS:-}" ]; then
        # diagnostics (e.g. --profile) are kept: $work/err is emptied before every step
        mkdir -p "$results"
        { echo "== $tool $mode $cmd N=$(wc -l < "$work/targets")"; cat "$work/err"; } >> "$results/spotsh-stderr.log"
    fi
    return $rc
}

# check TOOL COMMAND N REPEATS: every node's output arrived exactly once (xargs: by count, it has no labels)
check() {
    local tool=$1 name=$2 n=$3 reps=$4 expect per prefixed=1
    case "$name" in
        uname) expect=$uname_line; per=$reps ;;
        1mib) expect=$xline; per=$((1024 * reps)) ;;
        *) expect=""; per=0 ;;
    esac
    [ "$tool" = xargs ] && prefixed=0
    if [ "${tool%%:*}" = spotsh ]; then sed -i 's/ *| /: /' "$out"; fi
    awk -v expect="$expect" -v per="$per" -v n="$n" -v prefixed="$prefixed" '
        { if (prefixed) { i = index($0, ": "); if (i == 0) { bad++; next } node = substr($0, 1, i - 1); text = substr($0, i + 2) }
          else { node = "*"; text = $0 }
          if (text != expect) bad++
          c[node]++ }
        END { nodes = 0; wrong = 0
              for (k in c) { nodes++; if (c[k] != per) wrong++ }
              if (per == 0) ok = (NR == 0)
              else if (prefixed) ok = (bad == 0 && wrong == 0 && nodes == n)
              else ok = (bad == 0 && c["*"] == per * n)
              if (ok) print "ok"; else print "FAILED(lines=" NR ",nodes=" nodes ",wrong_counts=" wrong ",bad_lines=" bad ")" }' "$out"
}

# run_figure NAME: the NAME=<ms> figure of every `run k:` line in $work/err, in seconds
run_figure() { sed -n "s/^run [0-9]*:.*[: ]$1=\([0-9.]*\).*/\1/p" "$work/err" | awk '{ printf " %.3f", $1 / 1000 }'; }

# anything on stderr but the harness's own timing lines means a tool complained
unexpected_stderr() { grep -v '^run [0-9]*: ' "$work/err" | grep -q .; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maxof() { sort -g | tail -1; }

# masters' CPU seconds (warm OpenSSH runs: the multiplexing master does the crypto, not the client)
master_pids() {
    local h
    while read -r h; do ssh -F "$work/ssh_warm" -O check "$h" 2>&1 | sed -n 's/.*pid=\([0-9]*\).*/\1/p'; done < "$work/hosts"
}
masters_cpu() {
    local tck total=0 p
    tck=$(getconf CLK_TCK)
    for p in $master_pids_list; do
        [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
    done
    awk -v t="$total" -v k="$tck" 'BEGIN { printf "%.3f", t / k }'
}

# The sshd side's CPU seconds over one run: perf's task-clock of every listener and all it forks (the
# per-connection sshds, the shells and the commands), counted as they run. Without perf, /proc's accounting of
# the listeners and the children they reaped, which misses a session child whose parent exits first (short ssh
# connections), so it is only a lower bound.
listeners() { cat "$work"/pid/*.pid 2>/dev/null | paste -sd,; }
if perf stat -e task-clock -o /dev/null true >/dev/null 2>&1; then sshd_meter=perf; else sshd_meter=proc; fi
sshd_start() {
    if [ "$sshd_meter" = perf ]; then
        perf stat -e task-clock -x, -o "$work/sshd.perf" -p "$(listeners)" >/dev/null 2>&1 &
        sshd_perf_pid=$!
        sleep 0.3
    else
        sshd_before=$(sshd_proc_cpu)
    fi
}
sshd_stop() { # prints the CPU seconds since sshd_start, once every per-connection sshd has ended
    sshd_settled
    if [ "$sshd_meter" = perf ]; then
        kill -INT "$sshd_perf_pid" 2>/dev/null
        # (a command substitution runs this, so perf is not its child to wait for: poll until it has written)
        for _ in $(seq 1 100); do kill -0 "$sshd_perf_pid" 2>/dev/null || break; sleep 0.05; done
        awk -F, '/task-clock/ { printf "%.3f", $1 / 1000 }' "$work/sshd.perf"
    else
        awk -v a="$(sshd_proc_cpu)" -v b="$sshd_before" 'BEGIN { printf "%.3f", a - b }'
    fi
}
sshd_proc_cpu() {
    local tck
    tck=$(getconf CLK_TCK)
    cat "$work"/pid/*.pid 2>/dev/null | while read -r p; do cat "/proc/$p/stat" 2>/dev/null; done \
        | awk -v k="$tck" '{ s += $14 + $15 + $16 + $17 } END { printf "%.3f", s / k }'
}
sshd_settled() { # waits until every per-connection sshd has ended and been reaped by its listener (at most 10 s)
    for _ in $(seq 1 100); do pgrep -P "$(listeners)" >/dev/null 2>&1 || return 0; sleep 0.1; done
}

csv="$work/fanout.csv"
echo "date,n,tool,command,mode,runs,wall_median_s,wall_min_s,cpu_median_s,rss_max_mb,check,sshd_cpu_median_s" > "$csv"
when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
record() { # n tool command mode walls cpus rsses check [sshd cpus]
    local walls=$5 cpus=$6 rss=$7 sshd=${9:-}
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$when" "$1" "$2" "$3" "$4" "$(echo "$walls" | wc -w)" \
        "$(echo "$walls" | tr ' ' '\n' | grep . | median)" "$(echo "$walls" | tr ' ' '\n' | grep . | sort -g | head -1)" \
        "$(echo "$cpus" | tr ' ' '\n' | grep . | median)" "$(echo "$rss" | tr ' ' '\n' | grep . | maxof | awk '{ printf "%.1f", $1 / 1024 }')" \
        "$(echo "$8" | tr ',' ';')" "$(echo "$sshd" | tr ' ' '\n' | grep . | median | sed 's/^nan$//')" | tee -a "$csv" >&2
}

# spotsh_in_jvm TOOL MODE COMMAND NAME N: all $runs runs in one harness JVM, each timed inside it; checks and records
spotsh_in_jvm() {
    local tool=$1 mode=$2 cmd=$3 name=$4 n=$5 status=ok walls cpus rss c
    new_step "$name" "$n" "$runs"
    run_tool "$tool" "$mode" "$cmd" "$runs" "$work/ssh_cold" || status="exit$?"
    walls=$(run_figure wall_ms)
    cpus=$(run_figure cpu_ms)
    rss=$(awk '{ print $4 }' "$work/time")
    c=$(check "$tool" "$name" "$n" "$runs")
    [ "$c" = ok ] || status=$c
    unexpected_stderr && status="stderr:$(grep -v '^run [0-9]*: ' "$work/err" | head -c 120 | tr '\n,' '  ')"
    record "$n" "$tool" "$name" "$mode" "$walls" "$cpus" "$rss" "$status"
}

# a class-data archive trained the way scripts/spotsh trains its own (a Groovy one-liner, no fan-out), so the
# harness gets what a user's shell has and nothing more
java -XX:ArchiveClassesAtExit="$jsa" -Xshare:auto $java_opts -jar "$build/spotsh.jar" -e 'null' >/dev/null 2>&1 || true
[ -f "$jsa" ] && jsa_opt="-XX:SharedArchiveFile=$jsa"

for n in $sizes; do
    lists "$n"
    for name in $commands; do
        cmd=$(command_of "$name")
        # cold: a new process and new connections every run (spotsh also connection-cold inside a running JVM)
        for tool in $measured; do
            modes=cold
            [ "$tool" = spotsh ] && [ "$inproc" = 1 ] && modes="cold cold-inproc cold-inproc-jit"
            for mode in $modes; do
                walls="" cpus="" rss="" sshd="" status=ok
                for ((r = 1; r <= runs; r++)); do
                    new_step "$name" "$n" 1
                    sshd_settled
                    [ "$mode" = cold ] && sshd_start
                    run_tool "$tool" "$mode" "$cmd" 1 "$work/ssh_cold" || status="exit$?"
                    if [ "$mode" = cold ]; then
                        sshd+=" $(sshd_stop)"
                    fi
                    read -r e u s m < <(tail -1 "$work/time")
                    if [ "$mode" = cold ]; then
                        walls+=" $e"; cpus+=" $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"
                    else # timed inside the JVM: just the fan-out on new connections
                        walls+="$(run_figure wall_ms)"
                        cpus+="$(run_figure cpu_ms)"
                    fi
                    rss+=" $m"
                    c=$(check "$tool" "$name" "$n" 1)
                    [ "$c" = ok ] || status=$c
                    unexpected_stderr && status="stderr:$(grep -v '^run [0-9]*: ' "$work/err" | head -c 120 | tr '\n,' '  ')"
                done
                record "$n" "$tool" "$name" "$mode" "$walls" "$cpus" "$rss" "$status" "$sshd"
            done
            if [ "$tool" = spotsh ] && [ "$inproc" = 1 ]; then
                # steady: one JVM, the JIT warmed elsewhere first, then every run on new connections inside it
                sshd_settled
                spotsh_in_jvm spotsh cold-inproc-steady "$cmd" "$name" "$n"
            fi
        done
    done

    # warm: connections already open
    echo "opening $n ControlPersist masters ..." >&2
    xargs -a "$work/hosts" -P $fanout -I{} ssh -F "$work/ssh_master" -n -fN {}
    master_pids_list=$(master_pids)
    for name in $commands; do
        cmd=$(command_of "$name")
        for tool in $measured; do
            walls="" cpus="" rss="" status=ok
            if [ "${tool%%:*}" = spotsh ]; then
                # with its resident shells (the default), then with a session per command as ControlPersist does
                modes=warm
                [ "$tool" = spotsh ] && modes="warm warm-sessions"
                for mode in $modes; do
                    spotsh_in_jvm "$tool" $mode "$cmd" "$name" "$n"
                done
            else
                for ((r = 1; r <= runs; r++)); do
                    new_step "$name" "$n" 1
                    before=$(masters_cpu)
                    run_tool "$tool" warm "$cmd" 1 "$work/ssh_warm" || status="exit$?"
                    after=$(masters_cpu)
                    read -r e u s m < <(tail -1 "$work/time")
                    walls+=" $e"; rss+=" $m"
                    cpus+=" $(awk -v u="$u" -v s="$s" -v a="$after" -v b="$before" 'BEGIN { print u + s + a - b }')"
                    c=$(check "$tool" "$name" "$n" 1)
                    [ "$c" = ok ] || status=$c
                    unexpected_stderr && status="stderr:$(grep -v '^run [0-9]*: ' "$work/err" | head -c 120 | tr '\n,' '  ')"
                done
            fi
            [ "${tool%%:*}" = spotsh ] || record "$n" "$tool" "$name" warm "$walls" "$cpus" "$rss" "$status"
        done
        # the node side alone: the same shells and commands fed through pipes, no SSH (node_floor.py)
        if [ "$floor" = 1 ]; then
            : > "$work/err"; : > "$work/time"; status=ok
            /usr/bin/time -f '%e %U %S %M' -o "$work/time" python3 "$root/scripts/bench/node_floor.py" "$n" "$runs" \
                "$cmd" "$(expected_bytes "$name")" "$user" 2> "$work/err" || status="exit$?"
            walls=$(run_figure wall_ms)
            cpus=$(run_figure cpu_ms)
            nodes=$(run_figure node_cpu_ms)
            [ "$status" = ok ] || status="$status:$(grep -v '^run [0-9]*: ' "$work/err" | head -c 120 | tr '\n,' '  ')"
            record "$n" node-floor "$name" warm "$walls" "$cpus" "$(awk '{ print $4 }' "$work/time")" "$status" "$nodes"
        fi
    done
    while read -r h; do ssh -F "$work/ssh_warm" -O exit "$h" >/dev/null 2>&1 || true; done < "$work/hosts"
done

# --- failures: 5% of the endpoints closed, 5% black-holed (accept TCP, never speak); 5 s connect timeout --------
failure_md=""
if [ "$failure" = 1 ]; then
    n=$max_n
    lists "$n"
    step=$((n / (n / 20)))
    closed=() holes=()
    for ((i = step; i <= n; i += step)); do
        closed+=("$i")
        [ $((i - step / 2)) -ge 1 ] && holes+=("$((i - step / 2))")
    done
    for i in "${closed[@]}" "${holes[@]}"; do kill "$(cat "$work/pid/$i.pid")"; rm -f "$work/pid/$i.pid"; done
    sleep 0.5
    hole_addrs=$(for i in "${holes[@]}"; do addr "$i"; done | paste -sd' ')
    python3 -c '
import socket, sys, time
socks = []
for a in sys.argv[2:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, int(sys.argv[1]))); s.listen(1024); socks.append(s)
time.sleep(100000)' "$port" $hole_addrs &
    echo $! > "$work/blackhole.pid"
    sleep 0.5
    echo "failure run: $n nodes, ${#closed[@]} closed, ${#holes[@]} black-holed, connect timeout 5 s" >&2
    failure_md="| tool | median wall s | nodes reported failed | how failures are reported |\n|---|---:|---:|---|\n"
    for tool in $tools; do
        walls=""
        for ((r = 1; r <= 3; r++)); do
            : > "$out"; : > "$work/err"; : > "$work/time"
            run_tool "$tool" cold true 1 "$work/ssh_failure" --connect-timeout 5 || true
            read -r e _ < <(tail -1 "$work/time")
            walls+=" $e"
        done
        wall=$(echo "$walls" | tr ' ' '\n' | grep . | median)
        failed=$(grep -oE '127\.77\.[0-9]+\.[0-9]+' "$work/err" | sort -u | wc -l)
        if [ "$tool" = spotsh ]; then
            how=$(grep '^FAILED ' "$work/err" | sed 's/^FAILED [^ ]* phase=\([a-z]*\).*: \(.*\)/\1: \2/' | sed 's/[0-9.]* s (/N s (/' | sort | uniq -c | sed 's/^ *//' | paste -sd';' | sed 's/;/; /g')
        else
            how=$(sed -E 's/127\.77\.[0-9]+\.[0-9]+/ADDR/g; s/port [0-9]+/port P/' "$work/err" | sort | uniq -c | sort -rn | head -3 | sed 's/^ *//' | paste -sd';' | sed 's/;/; /g; s/|/\\|/g')
        fi
        printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$when" "$n" "$tool" "true" "failure-5%closed-5%blackholed" 3 "$wall" \
            "$(echo "$walls" | tr ' ' '\n' | grep . | sort -g | head -1)" "" "" "failed_nodes=$failed" "" | tee -a "$csv" >&2
        failure_md+="| $tool | $wall | $failed of $((${#closed[@]} + ${#holes[@]})) | ${how//$'\n'/ } |\n"
    done
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$results"
cp "$csv" "$results/fanout.csv"
python3 "$root/scripts/bench/fanout_report.py" "$results/fanout.csv" "$(nproc)" "$(java -version 2>&1 | head -1)" \
    "$(ssh -V 2>&1)" "load average (1, 5, 15 min) $load_start at the start, $load_end at the end" "$sshd_meter" \
    > "$results/fanout.md"
failure_note="\nThe floor is the 5 s connect timeout: a black-holed endpoint accepts TCP and never speaks. xargs stops at \
the first ssh that exits with 255 (xargs's own rule), so its time is not that of the whole fan-out and it reports only \
the nodes it reached. spotsh's time is process-cold (JVM start and exit included); each node waits for its server's \
greeting before it takes one of the 64 handshake permits, so the black holes spend their 5 s alongside the healthy \
nodes' handshakes instead of after them, and refused connections are retried twice with backoff before they are \
reported.\n"
printf '%b' "${failure_md:+\n## Failures: 5% closed, 5% black-holed, connect timeout 5 s (cold, \`true\`, 3 runs)\n\n$failure_md$failure_note}" >> "$results/fanout.md"
cat "$results/fanout.md"

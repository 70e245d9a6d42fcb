#!/bin/sh
# phone-home.sh: registers this node with its test's spotsh registry and prints its node
# number. Userdata runs it at boot; after a reboot the same instance gets the same number.
#
#   phone-home.sh [ENV_FILE]
#   phone-home.sh --interruption NOTICE [ENV_FILE]
#
# With --interruption it reports instead the spot interruption notice this instance's metadata
# gives (interruption-watch.sh calls it): NOTICE is IMDS's JSON, {"action": "terminate", "time":
# "2026-12-06T12:04:10Z"}, on one line, which spotsh.report_interruption parses and takes only from
# the node that registered the instance (its node secret). It prints recorded (or known: reported before).
#
# Inputs, from the environment or from KEY=VALUE lines in ENV_FILE (the environment wins):
#   SPOTSH_REGISTRY_URL        postgresql://USER:PASSWORD@HOST:PORT/DB[?sslmode=MODE&sslrootcert=FILE]  (required)
#                              spotsh's own registry gives sslmode=verify-full: TLS, CA and host name checked
#   SPOTSH_REGISTRY_CA         the CA certificate (PEM file) the registry's certificate must come from; wins
#                              over the URL's sslrootcert= (userdata writes it to etc/spotsh/registry-ca.crt)
#   SPOTSH_TEST, SPOTSH_ROLE, SPOTSH_INSTANCE_ID, SPOTSH_PRIVATE_IP           (required)
#   SPOTSH_HOSTNAME            default: uname -n
#   SPOTSH_HOST_KEY_FILE       default /etc/ssh/ssh_host_ed25519_key.pub; set it empty to send no key
#   SPOTSH_NODE_FILE           where the number is written, default /etc/spotsh/node-number
#   SPOTSH_SECRET_FILE         the node's own secret (made at first registration, 0600), default NODE_FILE.secret
#   SPOTSH_PHONE_HOME_TIMEOUT  seconds to keep retrying while the registry refuses, default 600
#   SPOTSH_PSQL                psql to run; default /usr/lib/postgresql/*/bin/psql if there, else psql
#
# Exit status: 0 registered; 1 gave up at the deadline (or could not write the node file);
# 2 missing or malformed input; 3 refused by the registry, which no retry would change:
# wrong password, unknown test, dead instance, no TLS, an input over its limit, an instance id
# never requested for the test (or requested in another role), a host key other than the one
# the registry pinned for this instance (the operator may accept it: cluster.trust('i-...'));
# or a TLS failure (the server's certificate does not match the host name, does not verify
# against the CA, no CA file...). The reason is printed on stderr. While spotsh is still
# recording the test's instance ids the registry answers "retry": that is retried like a busy
# server.
#
# Hundreds of nodes call at once and PostgreSQL turns away connections past max_connections:
# those tries are repeated after a random pause (exponential backoff with full jitter), so
# the crowd spreads out instead of knocking again in step.
#
# The password never appears on a command line or in ps: psql takes it from its environment.
# Every value reaches SQL as a psql variable that psql quotes itself (:'name'), so nothing in
# the inputs can change the statement.

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
}

die() {
    code=$1
    shift
    echo "phone-home: $*" >&2
    exit "$code"
}

# Whether KEY is one of this script's inputs that the environment leaves unset.
unset_input() {
    case $1 in
        SPOTSH_REGISTRY_URL) [ -z "${SPOTSH_REGISTRY_URL+x}" ] ;;
        SPOTSH_TEST) [ -z "${SPOTSH_TEST+x}" ] ;;
        SPOTSH_ROLE) [ -z "${SPOTSH_ROLE+x}" ] ;;
        SPOTSH_INSTANCE_ID) [ -z "${SPOTSH_INSTANCE_ID+x}" ] ;;
        SPOTSH_PRIVATE_IP) [ -z "${SPOTSH_PRIVATE_IP+x}" ] ;;
        SPOTSH_HOSTNAME) [ -z "${SPOTSH_HOSTNAME+x}" ] ;;
        SPOTSH_HOST_KEY_FILE) [ -z "${SPOTSH_HOST_KEY_FILE+x}" ] ;;
        SPOTSH_NODE_FILE) [ -z "${SPOTSH_NODE_FILE+x}" ] ;;
        SPOTSH_PHONE_HOME_TIMEOUT) [ -z "${SPOTSH_PHONE_HOME_TIMEOUT+x}" ] ;;
        SPOTSH_PSQL) [ -z "${SPOTSH_PSQL+x}" ] ;;
        SPOTSH_REGISTRY_CA) [ -z "${SPOTSH_REGISTRY_CA+x}" ] ;;
        *) return 1 ;;
    esac
}

# KEY=VALUE lines (an "export " prefix and one pair of quotes allowed). Only this script's
# inputs are taken, and only where the environment has not set them; other lines (comments,
# settings for other scripts) are skipped. Nothing is evaluated: values are taken as written.
load_env_file() {
    [ -r "$1" ] || die 2 "cannot read env file $1"
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line#export }
        key=${line%%=*}
        [ "$key" != "$line" ] || continue
        unset_input "$key" || continue
        value=${line#*=}
        case $value in
            \"*\") value=${value#\"} value=${value%\"} ;;
            \'*\') value=${value#\'} value=${value%\'} ;;
        esac
        export "$key=$value"
    done <"$1"
}

# Sets $quoted to VALUE quoted for a psql meta-command: inside '...' a backslash escapes
# the next character. Pure parameter expansion: no process is started, and each one counts
# when a thousand nodes boot on two cores.
quote() {
    rest=$1 quoted=
    while :; do
        case $rest in
            *[\\\']*)
                head=${rest%%[\\\']*}
                rest=${rest#"$head"}
                quoted=$quoted$head\\${rest%"${rest#?}"}
                rest=${rest#?}
                ;;
            *)
                quoted="'$quoted$rest'"
                return
                ;;
        esac
    done
}

random16() {
    od -An -N2 -tu2 /dev/urandom
}

# Sets $now to milliseconds on a steady clock: /proc/uptime (hundredths of a second) read by the
# shell itself (no process to start), or date where there is no /proc. Milliseconds, so that a
# deadline of N seconds ends after N seconds, not anywhere in the second before.
clock() {
    if read -r now _ </proc/uptime 2>/dev/null; then
        hundredths=${now#*.}
        now=$((${now%.*} * 1000 + ${hundredths#0} * 10))
    else
        now=$(($(date +%s) * 1000))
    fi
}

call="SELECT spotsh.register(:'test',:'role',:'instance_id',:'ip',:'hostname',:'host_key',:'secret');"
if [ "${1:-}" = --interruption ]; then
    # dash stops here with a message and status 2 when NOTICE is missing
    call="SELECT spotsh.report_interruption(:'test',:'role',:'instance_id',:'notice',:'secret');" notice=$2
    shift 2
fi
case ${1:-} in
    -h | --help) usage; exit 0 ;;
    '') ;;
    *) load_env_file "$1" ;;
esac

missing=
[ -n "${SPOTSH_REGISTRY_URL:-}" ] || missing="$missing SPOTSH_REGISTRY_URL"
[ -n "${SPOTSH_TEST:-}" ] || missing="$missing SPOTSH_TEST"
[ -n "${SPOTSH_ROLE:-}" ] || missing="$missing SPOTSH_ROLE"
[ -n "${SPOTSH_INSTANCE_ID:-}" ] || missing="$missing SPOTSH_INSTANCE_ID"
[ -n "${SPOTSH_PRIVATE_IP:-}" ] || missing="$missing SPOTSH_PRIVATE_IP"
[ -z "$missing" ] || die 2 "missing input:$missing (set it in the environment or in the env file given as \$1)"
# Debian's /usr/bin/psql is a Perl wrapper (pg_wrapper) that costs tens of milliseconds of
# CPU per call; with hundreds of nodes retrying on a busy machine that adds up, so call the
# client binary itself when it is there. SPOTSH_PSQL names another one.
psql=${SPOTSH_PSQL:-}
if [ -z "$psql" ]; then
    for candidate in /usr/lib/postgresql/*/bin/psql; do
        [ -x "$candidate" ] && psql=$candidate
    done
fi
[ -n "$psql" ] || psql=$(command -v psql) || die 2 "psql is not on PATH: the node image needs a PostgreSQL client"

hostname=${SPOTSH_HOSTNAME:-$(uname -n)}
node_file=${SPOTSH_NODE_FILE:-/etc/spotsh/node-number}
timeout=${SPOTSH_PHONE_HOME_TIMEOUT:-600}
case $timeout in '' | *[!0-9]*) die 2 "SPOTSH_PHONE_HOME_TIMEOUT must be a whole number of seconds, not '$timeout'" ;; esac

# the node's own secret, beside its number: sent when registering (the registry keeps its hash) and with each
# interruption report, so only the node that registered an instance reports for it; made once, kept across reboots
secret_file=${SPOTSH_SECRET_FILE:-$node_file.secret}
if ! { [ -s "$secret_file" ] && IFS= read -r secret <"$secret_file"; }; then
    case $call in *report*) die 2 "no node secret in $secret_file: this node did not register itself" ;; esac
    set -- $(od -An -N16 -tx1 /dev/urandom) && secret=$(printf %s "$@") && [ ${#secret} -eq 32 ] ||
        die 2 "cannot make a node secret from /dev/urandom"
    # one short write (an empty file left by a crash counts as none): no temporary file and rename needed
    (umask 077 && { [ -d "${secret_file%/*}" ] || mkdir -p "${secret_file%/*}"; } &&
        printf '%s\n' "$secret" >"$secret_file") ||
        die 2 "cannot write the node secret to $secret_file"
fi

host_key=
host_key_file=${SPOTSH_HOST_KEY_FILE-/etc/ssh/ssh_host_ed25519_key.pub}
if [ -n "$host_key_file" ]; then
    [ -r "$host_key_file" ] || die 2 "SPOTSH_HOST_KEY_FILE: cannot read $host_key_file"
    IFS= read -r host_key <"$host_key_file" || [ -n "$host_key" ] || die 2 "SPOTSH_HOST_KEY_FILE: $host_key_file is empty"
fi

# postgresql://user:password@host:port/db?sslmode=...
url=$SPOTSH_REGISTRY_URL
case $url in
    postgresql://*) rest=${url#postgresql://} ;;
    postgres://*) rest=${url#postgres://} ;;
    *) die 2 "SPOTSH_REGISTRY_URL must look like postgresql://user:password@host:port/db" ;;
esac
case $rest in *@*) ;; *) die 2 "SPOTSH_REGISTRY_URL has no user:password@ part" ;; esac
userinfo=${rest%@*}
hostpart=${rest##*@}
user=${userinfo%%:*}
password=
case $userinfo in *:*) password=${userinfo#*:} ;; esac
query=
case $hostpart in *\?*) query=${hostpart#*\?} hostpart=${hostpart%%\?*} ;; esac
db=$user
case $hostpart in */*) db=${hostpart#*/} hostpart=${hostpart%%/*} ;; esac
case $hostpart in
    \[*\]:*) host=${hostpart%%\]*} host=${host#\[} port=${hostpart##*\]:} ;;
    \[*\]) host=${hostpart#\[} host=${host%\]} port=5432 ;;
    *:*) host=${hostpart%:*} port=${hostpart##*:} ;;
    *) host=$hostpart port=5432 ;;
esac
case $userinfo$db in *%*) die 2 "SPOTSH_REGISTRY_URL: percent-encoded user, password or database are not supported" ;; esac
[ -n "$user" ] && [ -n "$host" ] && [ -n "$db" ] || die 2 "SPOTSH_REGISTRY_URL needs a user, a host and a database"
case $port in '' | *[!0-9]*) die 2 "SPOTSH_REGISTRY_URL: port '$port' is not a number" ;; esac
case "&$query" in *'&sslmode='*) PGSSLMODE=${query#*sslmode=} PGSSLMODE=${PGSSLMODE%%&*}; export PGSSLMODE ;; esac
case "&$query" in *'&sslrootcert='*) PGSSLROOTCERT=${query#*sslrootcert=} PGSSLROOTCERT=${PGSSLROOTCERT%%&*} ;; esac
PGSSLROOTCERT=${SPOTSH_REGISTRY_CA:-${PGSSLROOTCERT:-}}
if [ -n "$PGSSLROOTCERT" ]; then
    [ "$PGSSLROOTCERT" = system ] || [ -r "$PGSSLROOTCERT" ] || die 2 "cannot read the registry's CA certificate $PGSSLROOTCERT"
    export PGSSLROOTCERT
fi

# TLS failures: the registry's certificate (or the way to it) is not what this node was told to trust: a machine
# in between posing as the registry, a wrong address or CA, a server or client without TLS. No retry changes that.
tls_refused() {
    case $1 in
        *"match host name"* | *"verify failed"* | *"root certificate"* | *"alert"* | *"wrong version"* | \
            *"support SSL"* | *"no encryption"*)
            die 3 "registering $who refused: TLS: $1 (sslmode=${PGSSLMODE:-prefer}, CA ${PGSSLROOTCERT:-none})" ;;
    esac
}

newline='
'
for value in "$SPOTSH_TEST" "$SPOTSH_ROLE" "$SPOTSH_INSTANCE_ID" "$SPOTSH_PRIVATE_IP" "$hostname" "$host_key" "$notice"; do
    case $value in *"$newline"*) die 2 "inputs must be single lines; got '$value'" ;; esac
done

# The password reaches psql through the environment, which on Linux only this user and root
# can read (/proc/PID/environ is 0400): never through a command line, which ps shows to all.
unset PGPASSFILE PGSERVICE PGSERVICEFILE PGOPTIONS
PGHOST=$host PGPORT=$port PGUSER=$user PGDATABASE=$db PGPASSWORD=$password
PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10} PGAPPNAME=spotsh-phone-home
export PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGCONNECT_TIMEOUT PGAPPNAME

# Values become psql variables, which psql quotes as SQL literals itself (:'name').
script=
for name in test role instance_id ip hostname host_key notice secret; do
    case $name in
        notice) quote "$notice" ;;
        secret) quote "$secret" ;;
        test) quote "$SPOTSH_TEST" ;;
        role) quote "$SPOTSH_ROLE" ;;
        instance_id) quote "$SPOTSH_INSTANCE_ID" ;;
        ip) quote "$SPOTSH_PRIVATE_IP" ;;
        hostname) quote "$hostname" ;;
        host_key) quote "$host_key" ;;
    esac
    script="$script\\set $name $quoted$newline"
done
script=$script$call
who="$SPOTSH_INSTANCE_ID (role $SPOTSH_ROLE, test $SPOTSH_TEST) at $host:$port"
clock
deadline=$((now + timeout * 1000))
ceiling=50
while :; do
    # on success psql prints just the number; on failure, the error first
    output=$(LC_ALL=C "$psql" -X -q -A -t -v ON_ERROR_STOP=1 2>&1 <<EOF
$script
EOF
)
    status=$?
    number=${output##*"$newline"}
    error=${output%%"$newline"*}
    error=${error#psql:*: }
    [ "$status" -ne 2 ] || tls_refused "$error"
    if [ "$status" -eq 0 ]; then
        # report_interruption answers recorded or known, or raises
        case $call in *report*) echo "$number"; exit 0 ;; esac
        case $number in
            # the registry recorded why (an event) and answered instead of raising, which would undo the record
            'refused: '*) die 3 "registering $who refused: ${number#refused: }" ;;
            'retry: '*) error=${number#retry: } status=retry ;;
            '' | *[!0-9]*) die 3 "registering $who: the registry answered '$number' instead of a node number" ;;
            *) break ;;
        esac
    fi
    case $status:$error in
        retry:*) ;;
        # the server is there but will not take this node: say why and stop
        2:*"password authentication failed"* | 2:*"no pg_hba.conf entry"* | 2:*"does not exist"* | \
            2:*"permission denied"* | 2:*"no password supplied"*)
            die 3 "registering $who refused: $error" ;;
        # a busy, starting, restarting or unreachable server, or a conflict worth retrying
        2:* | 3:*"deadlock detected"* | 3:*"could not serialize"* | 3:*"statement timeout"* | \
            3:*"terminating connection"* | 3:*"server closed the connection"*) ;;
        *) die 3 "registering $who refused: ${error:-psql exited with $status}" ;;
    esac
    clock
    [ "$now" -lt "$deadline" ] ||
        die 1 "gave up registering $who after $timeout s (SPOTSH_PHONE_HOME_TIMEOUT); last error: $error"
    # full jitter: a random pause in [0, min(5 s, 100 ms * 2^attempt)], never past the deadline
    ceiling=$((ceiling * 2))
    [ "$ceiling" -le 5000 ] || ceiling=5000
    pause=$(($(random16) % (ceiling + 1)))
    [ "$pause" -le $((deadline - now)) ] || pause=$((deadline - now))
    sleep "$((pause / 1000)).$(printf '%03d' $((pause % 1000)))"
done

# a few bytes in one write: readers never see half a number
case $node_file in */*) node_dir=${node_file%/*} ;; *) node_dir=. ;; esac
{ [ -d "${node_dir:-/}" ] || mkdir -p "$node_dir"; } &&
    printf '%s\n' "$number" >"$node_file" ||
    die 1 "registered $who as node $number, but cannot write $node_file"
echo "$number"

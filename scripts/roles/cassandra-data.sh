#!/bin/sh
# Role setup of the cassandra test's data nodes: the package's cassandra.yaml with this node's settings (cluster
# name, its private address, one token at its ring position, data on the first instance-store disk). Data node 1
# is the seed and starts now. Nodes 2..N cannot know node 1's address at boot (the registry is not theirs to
# read), so they stay stopped until spotsh's configure step rewrites them with node 1's address as seed and starts them
# (see types/cassandra/Cassandra.java). Ring and data are new and empty, so nothing streams: auto_bootstrap: false.
#
#   cassandra-data.sh             boot: write the settings; node 1 starts
#   cassandra-data.sh yaml SEED   rewrite the settings with seeds: SEED (configure's join step runs it, then
#                                 restarts Cassandra, unless it already runs with that seed)
#   cassandra-data.sh token I N   print node I's token in a ring of N
#   cassandra-data.sh start|stop|restart|status
#                                 Cassandra itself: on an EC2 node the Debian package's service; on a local node
#                                 ($SPOTSH_ROOT set) the cassandra command on PATH (spotsh's Cassandra 5.0.6 bundle)
#                                 in the background, in the caller's process group, which ends with the instance
#
#   $CASSANDRA_CONF/cassandra.yaml   default $SPOTSH_ROOT/etc/cassandra, as the Debian package has it; a local node
#                                    starts from the bundle's template (cassandra --init-conf)
#   <disk>/cassandra/                data, commitlog, hints and saved caches (no disk: var/lib/spotsh/cassandra)
#   $SPOTSH_ROOT/var/log/cassandra/  the logs (system.log), collected with the results
#   $SPOTSH_ROOT/var/run/cassandra/cassandra.pid   a local node's Cassandra
set -e
root=${SPOTSH_ROOT:-}
yaml=${CASSANDRA_CONF:-$root/etc/cassandra}/cassandra.yaml

# token I N: -2^63 + (I-1)*floor(2^64/N), the Murmur3 range cut in N equal arcs (types/cassandra/Tokens.java).
# dash's arithmetic is 64-bit signed and 2^63 does not fit, so: q = floor(2^63/N) and r = 2^63 mod N from
# m = 2^63-1; then floor(2^64/N) = 2q + c with c = floor(2r/N); with k = I-1, half = floor(k(2q+c)/2) = kq + floor(kc/2)
# is below 2^63, and the token is 2*(half - 2^62) + (kc mod 2). N=1 has one token, -2^63.
token() {
    k=$(($1 - 1)) n=$2 m=9223372036854775807 c=0
    [ "$n" -gt 1 ] || { echo $((-m - 1)); return; }
    q=$((m / n)) r=$((m % n + 1))
    [ "$r" -lt "$n" ] || { q=$((q + 1)); r=0; }
    [ $((2 * r)) -lt "$n" ] || c=1
    echo $((2 * (k * q + k * c / 2 - 4611686018427387904) + k * c % 2))
}

# settings SEED: this node's settings replace the package's; a line that is not indented (a key, a comment, a
# blank) ends the previous key, so a replaced key goes with its indented lines (seed_provider's list)
settings() {
    d=$(sed -n '1s/^[^ ]* //p' "$root/etc/spotsh/disks" 2>/dev/null || true)
    [ -d "$d" ] || d=$root/var/lib/spotsh
    d=$d/cassandra
    mkdir -p "$d"
    chown cassandra: "$d" 2>/dev/null || true
    cat >"$yaml.add" <<EOF
cluster_name: '$SPOTSH_PARAM_CLUSTERNAME'
num_tokens: 1
initial_token: $(token "$SPOTSH_NODE_NUMBER" "$SPOTSH_PARAM_DATANODES")
listen_address: $SPOTSH_PRIVATE_IP
rpc_address: $SPOTSH_PRIVATE_IP
auto_bootstrap: false
data_file_directories:
  - $d/data
commitlog_directory: $d/commitlog
saved_caches_directory: $d/saved_caches
hints_directory: $d/hints
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$1"
EOF
    awk 'NR == FNR { if (sub(/:.*/, "")) drop[$0] = 1; next }
!/^[ -]/ { k = $0; sub(/:.*/, "", k); skip = k in drop }
!skip' "$yaml.add" "$yaml" | cat - "$yaml.add" >"$yaml.new"
    mv "$yaml.new" "$yaml"
    rm "$yaml.add"
}

# service start|stop|restart|status: the package's service on EC2, the cassandra command with a pid file locally
pidfile=$root/var/run/cassandra/cassandra.pid
service_() {
    if [ -z "$root" ]; then
        service cassandra "$1"
        return
    fi
    case $1 in
    status) [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null ;;
    start)
        ! service_ status || return 0
        mkdir -p "${pidfile%/*}"
        cassandra -p "$pidfile"
        ;;
    stop)
        if service_ status; then
            pid=$(cat "$pidfile")
            kill "$pid"
            # Cassandra drains on TERM; a node that does not end within 60 s is killed
            i=0
            while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pidfile"
        ;;
    restart) service_ stop && service_ start ;;
    esac
}

case ${1:-} in
token) token "$2" "$3" ;;
yaml) settings "$2" ;;
start | stop | restart | status) service_ "$1" ;;
*)
    if [ -n "$root" ] && [ ! -f "$yaml" ]; then
        command -v cassandra >/dev/null ||
            { echo "cassandra: no cassandra command on this node's PATH (spotsh's Cassandra bundle)" >&2; exit 1; }
        cassandra --init-conf
    fi
    [ -f "$yaml" ] || { echo "cassandra: no $yaml" >&2; exit 1; }
    # the package starts a default single-node Cassandra; this one must start from the settings below
    service_ stop >/dev/null 2>&1 || true
    settings "$SPOTSH_PRIVATE_IP"
    if [ "$SPOTSH_NODE_NUMBER" = 1 ]; then
        service_ start
    fi
    echo "cassandra: node $SPOTSH_NODE_NUMBER configured"
    ;;
esac

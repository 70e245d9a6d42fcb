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
#
#   $CASSANDRA_CONF/cassandra.yaml   default $SPOTSH_ROOT/etc/cassandra, as the Debian package has it
#   <disk>/cassandra/                data and commitlog (no disk: var/lib/spotsh/cassandra); hints and saved
#                                    caches, small, stay where the package has them
#   $SPOTSH_ROOT/var/log/cassandra/  the package's logs, collected with the results
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

case ${1:-} in
token) token "$2" "$3" ;;
yaml) settings "$2" ;;
*)
    [ -f "$yaml" ] || { echo "cassandra: no $yaml" >&2; exit 1; }
    # the package starts a default single-node Cassandra; this one must start from the settings below
    service cassandra stop >/dev/null 2>&1 || true
    settings "$SPOTSH_PRIVATE_IP"
    if [ "$SPOTSH_NODE_NUMBER" = 1 ]; then
        service cassandra start
    fi
    echo "cassandra: node $SPOTSH_NODE_NUMBER configured"
    ;;
esac

#!/bin/sh
# Role setup of the redis test's data nodes: one redis-server in cluster mode on the node's private address,
# data on the first instance-store disk, no persistence (a benchmark cluster lives for one test). spotsh joins
# the nodes into one cluster once all have registered (redis-cli --cluster create, see types/redis/Redis.java).
#
#   $SPOTSH_ROOT/etc/redis/redis.conf   the configuration written here
#   $SPOTSH_ROOT/var/log/redis/         redis.log, collected with the results
#   <disk>/redis/nodes.conf             the cluster's view of itself, kept by redis
set -e
root=${SPOTSH_ROOT:-}
port=${SPOTSH_PARAM_PORT:-6379}
if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis: no redis-server on this node (apt-get install redis-server, or bake it into the AMI)" >&2
    exit 1
fi
disk=$(sed -n '1s/^[^ ]* //p' "$root/etc/spotsh/disks" 2>/dev/null || true)
[ -n "$disk" ] && [ -d "$disk" ] || disk=$root/var/lib
data=$disk/redis
mkdir -p "$data" "$root/etc/redis" "$root/var/log/redis"
# cluster-announce-ip: without it a node that has several addresses tells its peers the one its connection
# left from, and the cluster never meets
cat >"$root/etc/redis/redis.conf" <<CONF
bind $SPOTSH_PRIVATE_IP
port $port
protected-mode no
cluster-enabled yes
cluster-config-file $data/nodes.conf
cluster-node-timeout ${SPOTSH_PARAM_NODETIMEOUTMS:-2000}
cluster-announce-ip $SPOTSH_PRIVATE_IP
dir $data
save ""
appendonly no
daemonize no
logfile $root/var/log/redis/redis.log
CONF
if [ -z "$root" ] && command -v systemd-run >/dev/null 2>&1; then
    # a cloud node: systemd keeps it running after cloud-init is done
    systemd-run --unit spotsh-redis --quiet redis-server "$root/etc/redis/redis.conf"
else
    # a local node: not daemonized, so it stays in the boot's process group, which ends with the instance
    redis-server "$root/etc/redis/redis.conf" </dev/null >/dev/null 2>&1 &
fi
tries=0
until redis-cli -h "$SPOTSH_PRIVATE_IP" -p "$port" ping 2>/dev/null | grep -q PONG; do
    tries=$((tries + 1))
    if [ "$tries" -ge 300 ]; then
        echo "redis: redis-server on $SPOTSH_PRIVATE_IP:$port did not answer within 30 s; see $root/var/log/redis/redis.log" >&2
        exit 1
    fi
    sleep 0.1
done
echo "redis: node $SPOTSH_NODE_NUMBER serving on $SPOTSH_PRIVATE_IP:$port, data in $data"

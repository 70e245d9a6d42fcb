#!/bin/sh
# Role setup of the mongodb test's config servers and data nodes (the clients have mongodb-client.sh): one mongod,
# data on the first instance-store disk, forked (it returns once it listens and lives on after this script).
#   config: mongod --configsvr on port 27019 in the replica set cfg (3 members, or 1 below three data nodes).
#   data:   mongod --shardsvr on port 27018 in the replica set of its shard: shard k is data nodes
#           (k-1)*replicas+1..k*replicas, so the node knows its set, shard<k>, from its number.
# spotsh's configure step initiates each replica set on its first member, starts mongos on the clients and adds
# the shards through one (types/mongodb/MongoDb.java, Topology.java).
#
#   $SPOTSH_ROOT/etc/mongodb/mongod.conf   the configuration written here
#   $SPOTSH_ROOT/var/log/mongodb/          mongod.log, collected with the results
#   <disk>/mongodb/                        the data (no disk: var/lib/spotsh/mongodb)
set -e
root=${SPOTSH_ROOT:-}
case $SPOTSH_ROLE in
config) port=27019 rs=cfg cluster_role=configsvr ;;
data) port=27018 rs=shard$(( (SPOTSH_NODE_NUMBER - 1) / ${SPOTSH_PARAM_REPLICAS:-1} + 1 )) cluster_role=shardsvr ;;
*) echo "mongodb: mongodb.sh sets up config and data nodes, not role $SPOTSH_ROLE" >&2; exit 1 ;;
esac
command -v mongod >/dev/null || { echo "mongodb: no mongod (apt-get install mongodb-org-server, or bake it into the AMI)" >&2; exit 1; }
# the package's own mongod (port 27017, /var/lib/mongodb) is not part of the test
systemctl disable --now mongod >/dev/null 2>&1 || true
d=$(sed -n '1s/^[^ ]* //p' "$root/etc/spotsh/disks" 2>/dev/null || true)
[ -n "$d" ] && [ -d "$d" ] || d=$root/var/lib/spotsh
mkdir -p "$d/mongodb" "$root/etc/mongodb" "$root/var/log/mongodb"
cat >"$root/etc/mongodb/mongod.conf" <<EOF
storage:
  dbPath: $d/mongodb
systemLog:
  destination: file
  path: $root/var/log/mongodb/mongod.log
  logAppend: true
net:
  port: $port
  bindIp: 127.0.0.1,$SPOTSH_PRIVATE_IP
replication:
  replSetName: $rs
sharding:
  clusterRole: $cluster_role
processManagement:
  fork: true
EOF
mongod --config "$root/etc/mongodb/mongod.conf"
echo "mongodb: $SPOTSH_ROLE node $SPOTSH_NODE_NUMBER serving $rs on $SPOTSH_PRIVATE_IP:$port, data in $d/mongodb"

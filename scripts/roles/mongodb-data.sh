#!/bin/sh
# Role setup of the mongodb test's data nodes: one shard server (mongod --shardsvr) in the replica set of its
# shard, data on the first instance-store disk. Shard k is data nodes (k-1)*replicas+1..k*replicas, so the node
# knows its replica set, shard<k>, from its number (types/mongodb/Topology.java). spotsh's configure step
# initiates each replica set on its first member and adds the shards through a mongos (MongoDb.java).
#
#   $SPOTSH_ROOT/etc/mongodb/mongod.conf   the configuration written here
#   $SPOTSH_ROOT/var/log/mongodb/          mongod.log, collected with the results
#   <disk>/mongodb/                        the data (no disk: var/lib/spotsh/mongodb)
set -e
root=${SPOTSH_ROOT:-}
command -v mongod >/dev/null || { echo "mongodb: no mongod (apt-get install mongodb-org-server, or bake it into the AMI)" >&2; exit 1; }
# the package's own mongod (port 27017, /var/lib/mongodb) is not part of the test
systemctl disable --now mongod >/dev/null 2>&1 || true
d=$(sed -n '1s/^[^ ]* //p' "$root/etc/spotsh/disks" 2>/dev/null || true)
[ -n "$d" ] && [ -d "$d" ] || d=$root/var/lib/spotsh
rs=shard$(( (SPOTSH_NODE_NUMBER - 1) / ${SPOTSH_PARAM_REPLICAS:-1} + 1 ))
mkdir -p "$d/mongodb" "$root/etc/mongodb" "$root/var/log/mongodb"
# fork: mongod returns once it listens, and lives on after this script
cat >"$root/etc/mongodb/mongod.conf" <<EOF
storage:
  dbPath: $d/mongodb
systemLog:
  destination: file
  path: $root/var/log/mongodb/mongod.log
  logAppend: true
net:
  port: 27018
  bindIp: 127.0.0.1,$SPOTSH_PRIVATE_IP
replication:
  replSetName: $rs
sharding:
  clusterRole: shardsvr
processManagement:
  fork: true
EOF
mongod --config "$root/etc/mongodb/mongod.conf"
echo "mongodb: data node $SPOTSH_NODE_NUMBER serving $rs on $SPOTSH_PRIVATE_IP:27018, data in $d/mongodb"

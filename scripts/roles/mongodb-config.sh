#!/bin/sh
# Role setup of the mongodb test's config servers: one mongod --configsvr in the replica set cfg (3 members, or 1
# below three data nodes: types/mongodb/Topology.java). spotsh's configure step initiates the set on config
# node 1, once every member has registered (MongoDb.java); mongos on the client nodes then points at it.
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
  port: 27019
  bindIp: 127.0.0.1,$SPOTSH_PRIVATE_IP
replication:
  replSetName: cfg
sharding:
  clusterRole: configsvr
processManagement:
  fork: true
EOF
mongod --config "$root/etc/mongodb/mongod.conf"
echo "mongodb: config server $SPOTSH_NODE_NUMBER of replica set cfg on $SPOTSH_PRIVATE_IP:27019"

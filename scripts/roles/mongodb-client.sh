#!/bin/sh
# Role setup of the mongodb test's client nodes: YCSB's mongodb binding talks to a mongos on the same node. At
# boot the node only checks its tools: mongos needs the config servers' addresses, which the node cannot know
# yet, so spotsh's configure step runs 'mongos CONFIGDB' on every client (types/mongodb/MongoDb.java).
#
#   mongodb-client.sh                  boot: check mongos, mongosh, java and YCSB
#   mongodb-client.sh mongos CONFIGDB  start mongos on 127.0.0.1:27017 for CONFIGDB (cfg/ip:27019,...),
#                                      unless it already runs for it
#   $SPOTSH_ROOT/var/log/mongodb/      mongos.log, collected with the results
set -e
root=${SPOTSH_ROOT:-}
conf=$root/etc/mongodb/mongos.conf
pid=$root/var/lib/spotsh/mongos.pid
if [ "${1:-}" = mongos ]; then
    if grep -qxF "  configDB: $2" "$conf" 2>/dev/null && kill -0 "$(cat "$pid" 2>/dev/null)" 2>/dev/null; then
        exit 0
    fi
    old=$(cat "$pid" 2>/dev/null || true)
    if [ -n "$old" ] && kill "$old" 2>/dev/null; then
        while kill -0 "$old" 2>/dev/null; do sleep 1; done
    fi
    mkdir -p "$root/etc/mongodb" "$root/var/log/mongodb" "$root/var/lib/spotsh"
    cat >"$conf" <<EOF
sharding:
  configDB: $2
systemLog:
  destination: file
  path: $root/var/log/mongodb/mongos.log
  logAppend: true
net:
  port: 27017
  bindIp: 127.0.0.1
processManagement:
  fork: true
  pidFilePath: $pid
EOF
    exec mongos --config "$conf"
fi
for t in mongos mongosh java; do
    command -v $t >/dev/null || { echo "mongodb: no $t on this node (bake it into the AMI)" >&2; exit 1; }
done
y=${YCSB_HOME:-/opt/ycsb}
[ -x "$y/bin/ycsb.sh" ] && [ -d "$y/mongodb-binding" ] ||
    { echo "mongodb: no YCSB with the mongodb binding in $y (bake ycsb-0.17.0 into the AMI)" >&2; exit 1; }
# the package's own mongod would hold mongos's port
systemctl disable --now mongod >/dev/null 2>&1 || true
echo "mongodb: client node $SPOTSH_NODE_NUMBER ready, YCSB in $y; mongos starts when spotsh configures the cluster"

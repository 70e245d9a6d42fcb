#!/bin/sh
# Role setup of the cassandra test's client nodes: nothing to start (spotsh runs YCSB's cassandra-cql binding in
# each workload phase, see types/ycsb/Ycsb.java); a node without YCSB or Java fails its boot now, not in the
# middle of the test. YCSB has no Debian package: the node image carries the 0.17.0 release in /opt/ycsb.
set -e
y=${YCSB_HOME:-/opt/ycsb}
[ -x "$y/bin/ycsb.sh" ] && [ -d "$y/cassandra-binding" ] ||
    { echo "cassandra: no YCSB with the cassandra binding in $y (bake ycsb-0.17.0 into the AMI)" >&2; exit 1; }
command -v java >/dev/null || { echo "cassandra: no java on this node (apt-get install default-jre-headless)" >&2; exit 1; }
echo "cassandra: client node $SPOTSH_NODE_NUMBER ready, YCSB in $y"

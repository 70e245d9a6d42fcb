#!/bin/sh
# Role setup of the cassandra test's client nodes: nothing to start (spotsh runs YCSB's cassandra-cql binding in
# each workload phase, see types/ycsb/Ycsb.java); a node without YCSB or Java fails its boot now, not in the
# middle of the test. YCSB has no Debian package: an EC2 node's image has it in /opt/ycsb with `ycsb` on PATH,
# a local node spotsh's ycsb bundle (types/ycsb/YcsbBundle.java), the same launcher and binding.
set -e
y=${YCSB_HOME:-$(ycsb home 2>/dev/null || true)}
[ -n "$y" ] && [ -x "$y/bin/ycsb.sh" ] ||
    { echo "cassandra: no YCSB on this node (ycsb on PATH, or YCSB_HOME; bake /opt/ycsb into the AMI)" >&2; exit 1; }
command -v java >/dev/null || { echo "cassandra: no java on this node (apt-get install default-jre-headless)" >&2; exit 1; }
echo "cassandra: client node $SPOTSH_NODE_NUMBER ready, YCSB in $y"

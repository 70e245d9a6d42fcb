#!/bin/sh
# Role setup of the redis test's client nodes: nothing to start (spotsh runs redis-benchmark in each workload
# phase); a node without it fails its boot now, not in the middle of the test.
set -e
for tool in redis-benchmark redis-cli; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "redis: no $tool on this node (apt-get install redis-tools, or bake it into the AMI)" >&2
        exit 1
    fi
done
echo "redis: client node $SPOTSH_NODE_NUMBER ready ($(redis-benchmark --version 2>/dev/null || echo redis-benchmark))"

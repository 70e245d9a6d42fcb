#!/bin/sh
# Cassandra 5.0.6's nodetool from spotsh's tool bundle (@@DIR@@): NodeTool reaching this node's own JMX, at the
# listen_address of $CASSANDRA_CONF/cassandra.yaml (default $SPOTSH_ROOT/etc/cassandra), port 7199, unless -h is given.
home=@@DIR@@
conf=${CASSANDRA_CONF:-${SPOTSH_ROOT:-}/etc/cassandra}
host=
for a in "$@"; do case $a in -h | --host | -h=* | --host=*) host=given ;; esac; done
if [ -z "$host" ]; then
    host=$(sed -n 's/^listen_address:[[:space:]]*//p' "$conf/cassandra.yaml" 2>/dev/null | tail -n 1)
    set -- -h "${host:-${SPOTSH_PRIVATE_IP:-127.0.0.1}}" "$@"
fi
exec java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ActiveProcessorCount=1 \
    $(grep '^--add-\|^-Djdk' "$home/conf/jvm17-server.options") \
    -Dlogback.configurationFile="$home/conf/logback-tools.xml" -Dcassandra.storagedir="${SPOTSH_ROOT:-}/var/lib/cassandra" \
    -cp "$home/lib/*" org.apache.cassandra.tools.NodeTool -p 7199 "$@"

#!/bin/sh
# Apache Cassandra 5.0.6 from spotsh's tool bundle (@@DIR@@), run as the package's bin/cassandra runs it:
#   cassandra -f               in the foreground
#   cassandra [-p PIDFILE]     in the background (output in $CASSANDRA_LOG_DIR/output.log), its pid in PIDFILE
#   cassandra --init-conf      copy the bundle's cassandra.yaml and logback.xml into $CASSANDRA_CONF, keeping any there
# $CASSANDRA_CONF (default $SPOTSH_ROOT/etc/cassandra) holds cassandra.yaml; JMX (port 7199, no authentication)
# listens on its listen_address only, so every local node has its own. Heap: $MAX_HEAP_SIZE (512M), all of it
# from the start; the JVM sees one processor, so its thread pools stay small beside the other nodes.
home=@@DIR@@
root=${SPOTSH_ROOT:-}
conf=${CASSANDRA_CONF:-$root/etc/cassandra}
logs=${CASSANDRA_LOG_DIR:-$root/var/log/cassandra}
if [ "${1:-}" = --init-conf ]; then
    mkdir -p "$conf" && for f in cassandra.yaml logback.xml; do [ -f "$conf/$f" ] || cp "$home/conf/$f" "$conf/$f" || exit 1; done
    exit 0
fi
foreground= pidfile=
while [ $# -gt 0 ]; do
    case $1 in
    -f) foreground=yes ;;
    -p) pidfile=$2; shift ;;
    *) echo "cassandra: unknown option $1 (use -f, -p PIDFILE or --init-conf)" >&2; exit 2 ;;
    esac
    shift
done
[ -f "$conf/cassandra.yaml" ] || { echo "cassandra: no $conf/cassandra.yaml (cassandra --init-conf writes one)" >&2; exit 1; }
[ -f "$conf/logback.xml" ] || cp "$home/conf/logback.xml" "$conf/logback.xml"
ip=$(sed -n 's/^listen_address:[[:space:]]*//p' "$conf/cassandra.yaml" | tail -n 1)
ip=${ip:-127.0.0.1}
mkdir -p "$logs"
set -- $(grep -v '^[[:space:]]*\(#\|$\)' "$home/conf/jvm17-server.options") \
    -Xms${MAX_HEAP_SIZE:-512M} -Xmx${MAX_HEAP_SIZE:-512M} -XX:MaxDirectMemorySize=${MAX_DIRECT_MEMORY:-256M} \
    -XX:ActiveProcessorCount=1 -XX:HeapDumpPath="$logs" \
    -Dcom.sun.management.jmxremote.port=7199 -Dcom.sun.management.jmxremote.rmi.port=7199 \
    -Dcom.sun.management.jmxremote.host="$ip" -Djava.rmi.server.hostname="$ip" \
    -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false \
    -Dcassandra.config="file://$conf/cassandra.yaml" -Dlogback.configurationFile="$conf/logback.xml" \
    -Dcassandra.logdir="$logs" -Dcassandra.storagedir="$root/var/lib/cassandra" \
    -javaagent:"$(ls "$home"/lib/jamm-*.jar | head -n 1)" -cp "$home/lib/*"
if [ -n "$foreground" ]; then
    exec java "$@" -Dcassandra-foreground=yes org.apache.cassandra.service.CassandraDaemon
fi
java "$@" ${pidfile:+-Dcassandra-pidfile="$pidfile"} org.apache.cassandra.service.CassandraDaemon </dev/null >>"$logs/output.log" 2>&1 &
[ -z "$pidfile" ] || echo $! >"$pidfile"

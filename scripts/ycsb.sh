#!/bin/sh
# YCSB 0.17.0 as spotsh's nodes run it, on a local node (spotsh's ycsb bundle) and in the EC2 image (/opt/ycsb) alike:
#   ycsb.sh load|run BINDING [YCSB options]    site.ycsb.Client -load or -t with the binding's DB class
#   ycsb.sh cql HOST[,HOST...] 'STATEMENT; ...' CQL through the driver the cassandra-cql binding uses
#   ycsb.sh home                                print this YCSB home
# Class path: lib/*, then BINDING-binding/lib/* as in YCSB's release (a local bundle has everything in lib/).
# cassandra-cql is spotsh's binding on the Cassandra Java driver 4 (io.spotsh.ycsb.CqlClient, same properties).
# JVM options: $YCSB_JAVA_OPTS (default -Xmx512m).
home=${YCSB_HOME:-$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)}
opts=${YCSB_JAVA_OPTS:--Xmx512m}
case ${1:-} in
home) echo "$home"; exit 0 ;;
cql)
    shift
    exec java $opts -cp "$home/lib/*:$home/cassandra-cql-binding/lib/*" io.spotsh.ycsb.Cql "$@" ;;
load) phase=-load ;;
run) phase=-t ;;
*) echo "usage: ycsb.sh load|run BINDING [options] | cql HOSTS 'CQL' | home" >&2; exit 2 ;;
esac
binding=${2:-}
case $binding in
cassandra-cql) class=io.spotsh.ycsb.CqlClient ;;
mongodb) class=site.ycsb.db.MongoDbClient ;;
mongodb-async) class=site.ycsb.db.AsyncMongoDbClient ;;
basic) class=site.ycsb.BasicDB ;;
*) echo "ycsb: unknown binding '$binding' (cassandra-cql, mongodb, mongodb-async, basic)" >&2; exit 2 ;;
esac
shift 2
exec java $opts -cp "$home/lib/*:$home/$binding-binding/lib/*:$home/$binding-binding/conf" site.ycsb.Client $phase -db "$class" "$@"

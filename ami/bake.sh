#!/bin/sh
# Bakes a spotsh node image: run as root on a small builder instance started from a stock Debian 12
# image (with cloud-init), then snapshot it into an AMI. Everything slow to install goes here, so a node's
# userdata only relays the test name, registry, role and parameters.
#
#   scp -r scripts ami ycsb-cql admin@BUILDER: && ssh admin@BUILDER sudo sh ami/bake.sh
#   aws ec2 create-image --instance-id i-... --name spotsh-node-$(date +%Y%m%d)
#
# Idempotent: running it twice leaves the same image.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
scripts="${SPOTSH_SCRIPTS_SRC:-$here/../scripts}"
repo=$(cd "$here/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bake.sh: run as root" >&2; exit 2; }
[ -f "$scripts/phone-home.sh" ] || { echo "bake.sh: no $scripts/phone-home.sh (copy the repository's scripts/ beside ami/)" >&2; exit 2; }
[ -f "$repo/ycsb-cql/pom.xml" ] || { echo "bake.sh: no $repo/ycsb-cql/pom.xml (copy the repository's ycsb-cql/ beside ami/)" >&2; exit 2; }

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# the node's tools: metrics (sysstat), phone-home (psql), load generators and databases, disk setup
apt-get install -y -q --no-install-recommends \
    sysstat postgresql-client openjdk-17-jre-headless redis-server redis-tools \
    openssh-server xfsprogs nvme-cli curl ca-certificates python3

# sysstat every 10 seconds (phases are minutes long: a 10-minute default would blur them), all activities
sed -i 's/^ENABLED=.*/ENABLED="true"/' /etc/default/sysstat
if grep -q '^SADC_OPTIONS=' /etc/sysstat/sysstat 2>/dev/null; then
    sed -i 's/^SADC_OPTIONS=.*/SADC_OPTIONS="-S XALL"/' /etc/sysstat/sysstat
fi
mkdir -p /etc/systemd/system/sysstat-collect.timer.d
cat > /etc/systemd/system/sysstat-collect.timer.d/spotsh.conf <<'UNIT'
[Timer]
OnCalendar=
OnCalendar=*:*:0/10
AccuracySec=1s
UNIT
systemctl daemon-reload
systemctl enable sysstat sysstat-collect.timer

# Cassandra 5.0 (Apache's Debian repository, series 50x: the first that runs on Java 17, which is bookworm's Java;
# 4.1 runs on Java 8 and 11 only), MongoDB 7.0 with mongos and mongosh (MongoDB's repository for bookworm), YCSB
# 0.17.0 under /opt/ycsb: the cassandra and mongodb test types' tools (types/*/ tools())
install -d -m 0755 /etc/apt/keyrings
curl -fsSL https://downloads.apache.org/cassandra/KEYS -o /etc/apt/keyrings/apache-cassandra.asc
echo "deb [signed-by=/etc/apt/keyrings/apache-cassandra.asc] https://debian.cassandra.apache.org 50x main" \
    >/etc/apt/sources.list.d/cassandra.list
curl -fsSL https://www.mongodb.org/static/pgp/server-7.0.asc -o /etc/apt/keyrings/mongodb-server-7.0.asc
echo "deb [signed-by=/etc/apt/keyrings/mongodb-server-7.0.asc] http://repo.mongodb.org/apt/debian bookworm/mongodb-org/7.0 main" \
    >/etc/apt/sources.list.d/mongodb-org-7.0.list
apt-get update -q
apt-get install -y -q --no-install-recommends cassandra mongodb-org-server mongodb-org-mongos mongodb-mongosh
if [ ! -f /opt/ycsb/lib/core-0.17.0.jar ]; then
    curl -fsSL https://github.com/brianfrankcooper/YCSB/releases/download/0.17.0/ycsb-0.17.0.tar.gz -o /tmp/ycsb.tar.gz
    install -d -m 0755 /opt/ycsb
    tar -xzf /tmp/ycsb.tar.gz -C /opt/ycsb --strip-components=1
    rm -f /tmp/ycsb.tar.gz
fi
# The release's workloads and mongodb binding stay; its launcher and its cassandra-cql binding (driver 3, not for
# Cassandra 5) give way to spotsh's: the same launcher and binding local nodes run (types/ycsb/YcsbBundle.java), so
# the load code is identical on both clouds. The binding is built here from its source (ycsb-cql/).
apt-get install -y -q --no-install-recommends maven
rm -rf /opt/ycsb/cassandra-cql-binding "$repo/ycsb-cql/target"
mvn -B -q -f "$repo/ycsb-cql/pom.xml" -DskipTests package dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory=/opt/ycsb/cassandra-cql-binding/lib
cp "$repo"/ycsb-cql/target/spotsh-ycsb-cql-*.jar /opt/ycsb/cassandra-cql-binding/lib/
# YCSB's HdrHistogram 2.1.4 writes .hdr files through javax.xml.bind, which Java 17 lacks; 2.1.12 (same API) does not
rm -f /opt/ycsb/lib/HdrHistogram-*.jar
mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy -Dartifact=org.hdrhistogram:HdrHistogram:2.1.12 \
    -DoutputDirectory=/opt/ycsb/lib
install -m 0755 "$scripts/ycsb.sh" /opt/ycsb/bin/ycsb.sh
# on PATH as on a local node: workloads run `ycsb`, and the schema step runs `ycsb cql` on data node 1
ln -sf /opt/ycsb/bin/ycsb.sh /usr/local/bin/ycsb

# databases start when their role says so, not at boot
systemctl disable redis-server cassandra mongod || true
systemctl stop cassandra mongod 2>/dev/null || true
rm -rf /var/lib/cassandra/data/* /var/lib/cassandra/commitlog/* /var/lib/cassandra/saved_caches/*

# node-side scripts, for roles and for operators logged in to a node; userdata carries its own
# copy of phone-home and storage discovery, so an older image never runs older registration code
install -d -m 0755 /opt/spotsh/scripts /etc/spotsh
for f in "$scripts"/*.sh; do
    install -m 0755 "$f" /opt/spotsh/scripts/
done
if [ -d "$scripts/roles" ]; then
    install -d -m 0755 /opt/spotsh/scripts/roles
    for f in "$scripts"/roles/*; do
        [ -f "$f" ] && install -m 0755 "$f" /opt/spotsh/scripts/roles/
    done
fi

# leave no identity in the image: cloud-init makes new host keys and ids on first boot
rm -f /etc/ssh/ssh_host_*
cloud-init clean --logs 2>/dev/null || true
truncate -s 0 /etc/machine-id
apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/sysstat/* /root/.bash_history
echo "bake.sh: done; snapshot this instance into an AMI"

#!/bin/sh
# Bakes a spotsh node image: run as root on a small builder instance started from a stock Debian 12
# image (with cloud-init), then snapshot it into an AMI. Everything slow to install goes here, so a node's
# userdata only relays the test name, registry, role and parameters.
#
#   scp -r scripts ami ycsb-cql admin@BUILDER: && ssh admin@BUILDER sudo sh ami/bake.sh
#   aws ec2 create-image --instance-id i-... --name spotsh-node-$(date +%Y%m%d)
#
#   bake.sh                      the image: Debian's packages, Maven Central's jars, and the vendors' own
#                                repositories (Apache's Cassandra, MongoDB's, YCSB's GitHub release)
#   bake.sh --no-vendor-repos    all but the vendors' repositories: what CI proves in a debootstrap root
#                                (ami/chroot-bake.sh, BakeChrootTest), where only Debian and Maven Central answer
#
# Idempotent: running it twice leaves the same image, and the second run ends with "bake.sh: nothing changed"
# (it compares packages, unit links and the files it writes before and after).
set -eu

vendor_repos=1
for arg in "$@"; do
    case $arg in
    --no-vendor-repos) vendor_repos=0 ;;
    *) echo "bake.sh: unknown option '$arg' (--no-vendor-repos)" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
scripts="${SPOTSH_SCRIPTS_SRC:-$here/../scripts}"
repo=$(cd "$here/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bake.sh: run as root" >&2; exit 2; }
[ -f "$scripts/phone-home.sh" ] || { echo "bake.sh: no $scripts/phone-home.sh (copy the repository's scripts/ beside ami/)" >&2; exit 2; }
[ -f "$repo/ycsb-cql/pom.xml" ] || { echo "bake.sh: no $repo/ycsb-cql/pom.xml (copy the repository's ycsb-cql/ beside ami/)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# what this script owns in the image, one line per package, unit link or file (with its checksum)
state() {
    dpkg-query -W -f='package ${Package} ${Version} ${db:Status-Abbrev}\n'
    find /etc/systemd/system -type l -printf 'link %p -> %l\n' 2>/dev/null || true
    find /opt/ycsb /opt/spotsh /etc/ssh/sshd_config.d /etc/systemd/system /etc/default/sysstat /etc/sysstat \
        /etc/apt/sources.list.d /etc/apt/keyrings -type f -exec sha256sum {} + 2>/dev/null | awk '{ print "file " $2 " " $1 }'
    find /usr/local/bin -type l -printf 'link %p -> %l\n' 2>/dev/null || true
}
state | sort >"$work/before"

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# sysstat's own switch, so a later dpkg-reconfigure keeps collection on
echo "sysstat sysstat/enable boolean true" | debconf-set-selections
# the node's tools: metrics (sysstat), phone-home (psql), Java 17 with its JDK tools (jcmd, jstack, jfr on a node
# under test; javac builds the CQL binding below), maven, Redis, sshd, disk setup
apt-get install -y -q --no-install-recommends \
    sysstat postgresql-client openjdk-17-jdk-headless maven redis-server redis-tools \
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
# systemd reads units at boot; reload only a running one (none runs in a chroot, where enable only makes links)
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
fi
systemctl enable sysstat sysstat-collect.timer

# sshd for the fan-out: spotsh opens one connection per node with up to 10 channels (FanoutSettings), but several
# shells, a retry storm or a collect with a run still open must not meet OpenSSH's defaults (MaxStartups 10:30:100
# drops unauthenticated connections, MaxSessions 10); the values the fan-out benchmark's sshds run with
# (scripts/bench/fanout.sh). Debian's sshd_config includes sshd_config.d/ first, and sshd keeps a key's first value.
install -d -m 0755 /etc/ssh/sshd_config.d
cat > /etc/ssh/sshd_config.d/spotsh.conf <<'SSHD'
# spotsh fan-out (ami/bake.sh)
MaxStartups 1000:30:1000
MaxSessions 64
UseDNS no
SSHD

# YCSB 0.17.0 under /opt/ycsb, laid out as its release (types/ycsb/YcsbBundle.java): lib/ from Maven Central,
# the same artifacts local nodes run: core and its dependencies, with HdrHistogram 2.1.12 over core's 2.1.4, whose
# .hdr writer needs javax.xml.bind (gone since Java 11); 2.1.12 has the same API
cat >"$work/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.spotsh.bake</groupId>
  <artifactId>ycsb-lib</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>site.ycsb</groupId><artifactId>core</artifactId><version>0.17.0</version></dependency>
    <dependency><groupId>org.hdrhistogram</groupId><artifactId>HdrHistogram</artifactId><version>2.1.12</version></dependency>
  </dependencies>
</project>
POM
mvn -B -q -Dstyle.color=never --strict-checksums -f "$work/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$work/lib"
# spotsh's cassandra-cql binding (Cassandra Java driver 4; the release's binding is driver 3, not for Cassandra 5),
# built from its source (ycsb-cql/) in a copy; a fixed jar timestamp makes the same source give the same jar
cp -r "$repo/ycsb-cql" "$work/ycsb-cql"
rm -rf "$work/ycsb-cql/target"
mvn -B -q -Dstyle.color=never --strict-checksums -f "$work/ycsb-cql/pom.xml" -DskipTests -Dproject.build.outputTimestamp=2024-01-01T00:00:00Z \
    package org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$work/binding"
cp "$work"/ycsb-cql/target/spotsh-ycsb-cql-*.jar "$work/binding/"
# the driver's HdrHistogram is mediated to core's 2.1.4 (core is "provided" there): lib/ has 2.1.12 for both
rm -f "$work"/binding/HdrHistogram-*.jar
install -d -m 0755 /opt/ycsb /opt/ycsb/bin
rm -rf /opt/ycsb/lib /opt/ycsb/cassandra-cql-binding
install -d -m 0755 /opt/ycsb/cassandra-cql-binding
cp -r "$work/lib" /opt/ycsb/lib
cp -r "$work/binding" /opt/ycsb/cassandra-cql-binding/lib
install -m 0755 "$scripts/ycsb.sh" /opt/ycsb/bin/ycsb.sh
# on PATH as on a local node: workloads run `ycsb`, and the schema step runs `ycsb cql` on data node 1
ln -sfn /opt/ycsb/bin/ycsb.sh /usr/local/bin/ycsb

if [ "$vendor_repos" = 1 ]; then
    # Cassandra 5.0 (Apache's Debian repository, series 50x: the first that runs on Java 17, which is bookworm's Java;
    # 4.1 runs on Java 8 and 11 only), MongoDB 7.0 with mongos and mongosh (MongoDB's repository for bookworm): the
    # cassandra and mongodb test types' servers (types/*/ tools())
    install -d -m 0755 /etc/apt/keyrings
    curl -fsSL https://downloads.apache.org/cassandra/KEYS -o /etc/apt/keyrings/apache-cassandra.asc
    echo "deb [signed-by=/etc/apt/keyrings/apache-cassandra.asc] https://debian.cassandra.apache.org 50x main" \
        >/etc/apt/sources.list.d/cassandra.list
    curl -fsSL https://www.mongodb.org/static/pgp/server-7.0.asc -o /etc/apt/keyrings/mongodb-server-7.0.asc
    echo "deb [signed-by=/etc/apt/keyrings/mongodb-server-7.0.asc] http://repo.mongodb.org/apt/debian bookworm/mongodb-org/7.0 main" \
        >/etc/apt/sources.list.d/mongodb-org-7.0.list
    apt-get update -q
    apt-get install -y -q --no-install-recommends cassandra mongodb-org-server mongodb-org-mongos mongodb-mongosh
    # from YCSB's release (not on Maven Central): its workloads and its mongodb binding
    if [ ! -f /opt/ycsb/mongodb-binding/lib/mongodb-binding-0.17.0.jar ] || [ ! -f /opt/ycsb/workloads/workloada ]; then
        curl -fsSL https://github.com/brianfrankcooper/YCSB/releases/download/0.17.0/ycsb-0.17.0.tar.gz -o "$work/ycsb.tar.gz"
        tar -xzf "$work/ycsb.tar.gz" -C /opt/ycsb --strip-components=1 ycsb-0.17.0/workloads ycsb-0.17.0/mongodb-binding
    fi
    # databases start when their role says so, not at boot
    # (Cassandra's package has a SysV script only, MongoDB's may not enable mongod: neither can be tried from CI)
    systemctl disable cassandra || true
    systemctl disable mongod 2>/dev/null || true
    systemctl stop cassandra mongod 2>/dev/null || true
    rm -rf /var/lib/cassandra/data/* /var/lib/cassandra/commitlog/* /var/lib/cassandra/saved_caches/*
else
    echo "bake.sh: --no-vendor-repos: no Cassandra, MongoDB, nor YCSB's workloads and mongodb binding in this image"
fi
systemctl disable redis-server

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

state | sort >"$work/after"
if cmp -s "$work/before" "$work/after"; then
    echo "bake.sh: nothing changed"
else
    echo "bake.sh: changed $(diff "$work/before" "$work/after" | grep -c '^[<>]') lines of its package, unit link and file list (< before, > after):"
    diff "$work/before" "$work/after" | grep '^[<>]' | head -20
fi
echo "bake.sh: done; snapshot this instance into an AMI"

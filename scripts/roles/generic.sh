#!/bin/sh
# Role setup of the generic test type: a work folder on the first instance-store disk, and a ready marker.
# Userdata runs it last, after phone-home and storage discovery, with the node's configuration in the
# environment (SPOTSH_TEST, SPOTSH_ROLE, SPOTSH_NODE_NUMBER, ...; see userdata.sh.tmpl).
#
#   $SPOTSH_ROOT/var/lib/spotsh/data    the first disk's spotsh/ folder (or a plain folder without disks)
#   $SPOTSH_ROOT/var/lib/spotsh/ready   one line: node number, role, test and when it became ready
set -e
root=${SPOTSH_ROOT:-}
work=$root/var/lib/spotsh
mkdir -p "$work"
# the first line's path, read by the shell itself (a thousand local nodes boot on two cores: each process counts)
disk=
{ read -r _ disk <"$root/etc/spotsh/disks"; } 2>/dev/null || true
if [ -n "$disk" ] && [ -d "$disk" ]; then
    mkdir -p "$disk/spotsh"
    ln -sfn "$disk/spotsh" "$work/data"
else
    mkdir -p "$work/data"
fi
printf 'node %s role %s test %s ready %s\n' "$SPOTSH_NODE_NUMBER" "$SPOTSH_ROLE" "$SPOTSH_TEST" \
    "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" >"$work/ready"
echo "generic: node $SPOTSH_NODE_NUMBER ready, data in $work/data"

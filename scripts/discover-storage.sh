#!/bin/sh
# discover-storage.sh: makes each instance-store disk of this node usable and prints NAME PATH for each.
# Userdata runs it after phone-home; it is embedded in the userdata, so node and spotsh versions match.
#
#   discover-storage.sh MAPPING_FILE
#
# MAPPING_FILE holds one line per instance-store volume of the instance metadata's block-device-mapping:
#   ephemeral0 sdb               on EC2: the device is /dev/sdb, /dev/xvdb, or the NVMe instance-store
#                                disk of the same rank (Nitro); it is formatted (ext4, unless it already
#                                has a file system) and mounted with noatime at /mnt/ephemeral0
#   ephemeral0 /abs/folder       on the local cloud: the "disk" is that folder, linked at
#                                $SPOTSH_ROOT/mnt/ephemeral0
# A disk already mounted (cloud-init often mounts ephemeral0 at /mnt) is used where it is.
#
# Exit status: 0 every listed disk is ready; 1 one or more could not be set up (the others still are,
# and are printed); 2 bad usage.

root=${SPOTSH_ROOT:-}
mapping=$1
[ -n "$mapping" ] && [ -r "$mapping" ] || { echo "usage: discover-storage.sh MAPPING_FILE" >&2; exit 2; }

warn() {
    echo "discover-storage: $*" >&2
    status=1
}

# device NAME VALUE RANK: the block device behind a mapping, or nothing
device() {
    dev=${2#/dev/}
    for d in "/dev/$dev" "/dev/xvd${dev#sd}"; do
        [ -b "$d" ] && echo "$d" && return
    done
    rank=0
    for model in /sys/block/nvme*n1/device/model; do
        [ -r "$model" ] || continue
        case $(cat "$model") in *"Instance Storage"*) ;; *) continue ;; esac
        if [ "$rank" -eq "$3" ]; then
            d=${model%/device/model}
            echo "/dev/${d##*/}"
            return
        fi
        rank=$((rank + 1))
    done
}

# mount_disk NAME DEVICE: prints where the disk is mounted
mount_disk() {
    mounted=$(awk -v d="$2" '$1 == d { print $2; exit }' /proc/mounts)
    if [ -n "$mounted" ]; then
        echo "$mounted"
        return
    fi
    if ! blkid "$2" >/dev/null 2>&1; then
        mkfs.ext4 -q -F -m 0 -E nodiscard "$2" >&2 || return 1
    fi
    mkdir -p "/mnt/$1" && mount -o noatime "$2" "/mnt/$1" >&2 && echo "/mnt/$1"
}

status=0
[ -d "$root/mnt" ] || mkdir -p "$root/mnt" || exit 1
while read -r name value; do
    case $name in ephemeral[0-9]*) ;; *) continue ;; esac
    case $value in
        /*)
            if [ -d "$value" ]; then
                ln -sfn "$value" "$root/mnt/$name" && echo "$name $root/mnt/$name" ||
                    warn "$name: cannot link $value at $root/mnt/$name"
            else
                warn "$name: $value is not a folder"
            fi
            ;;
        *)
            dev=$(device "$name" "$value" "${name#ephemeral}")
            if [ -z "$dev" ]; then
                warn "$name ($value): no such block device"
            elif path=$(mount_disk "$name" "$dev"); then
                echo "$name $path"
            else
                warn "$name: cannot format or mount $dev"
            fi
            ;;
    esac
done <"$mapping"
exit "$status"

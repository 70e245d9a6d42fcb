#!/bin/sh
# interruption-watch.sh: watches this instance's metadata for a spot interruption notice and
# reports it to the test's registry at once, so spotsh shows it while the node still runs.
# Userdata starts it after phone-home; it runs for the node's life.
#
#   interruption-watch.sh
#
# EC2 gives the two-minute warning to the instance itself (IMDS spot/instance-action, see the
# EC2 user guide "Spot Instance interruption notices"), not through the spot request's status.
# Every SPOTSH_INTERRUPTION_POLL seconds (default 5), or at once on SIGUSR1 (its pid is in
# $SPOTSH_ROOT/var/run/spotsh-interruption-watch.pid), it asks IMDSv2: PUT /latest/api/token once
# (kept until it expires: a 401 or no answer asks for a new one), then GET /latest/meta-data/spot/instance-action;
# 404 means no notice, a notice is {"action": "terminate", "time": "2026-12-06T12:04:10Z"}.
# Each new notice is reported once with the phone-home.sh beside it (--interruption), again next
# round, 5 s later, only if the registry did not answer in time (exit status 1).
#
# Inputs, from the environment:
#   SPOTSH_METADATA_URL       the metadata service, default http://169.254.169.254 (the local
#                             cloud points its nodes at its own loopback endpoint); no trailing /
#   SPOTSH_INTERRUPTION_POLL  seconds between looks, default 5
#   and phone-home.sh's inputs (registry URL, test, role, instance id...)

u=${SPOTSH_METADATA_URL:-http://169.254.169.254}
poll=${SPOTSH_INTERRUPTION_POLL:-5}
pause=$poll
# USR1 means "look now": the local cloud sends it with a notice, so its nodes can pause long between looks (a thousand
# of them share one machine) and still see a notice at once. The trap ends the pause's sleep whenever the signal
# lands (before the wait, during it, or during a look: then the next pause is skipped).
trap 'woken=1; [ -z "$s" ] || kill "$s" 2>/dev/null' USR1
pidfile=$SPOTSH_ROOT/var/run/spotsh-interruption-watch.pid
{ [ -d "${pidfile%/*}" ] || mkdir -p "${pidfile%/*}"; } && echo $$ >"$pidfile"
while :; do
    sleep "$pause" &
    s=$!
    [ -z "$woken" ] || kill "$s" 2>/dev/null
    wait "$s"
    s= woken= pause=$poll
    [ -n "$t" ] || t=$(curl -sf -m 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" "$u/latest/api/token")
    a=$(curl -s -m 2 -w " %{http_code}" -H "X-aws-ec2-metadata-token: $t" "$u/latest/meta-data/spot/instance-action")
    case $a in
        *' 200')
            # {"action": "terminate", "time": "2026-12-06T12:04:10Z"}: the registry parses it
            [ "$a" = "$last" ] || {
                said=$("${0%/*}/phone-home.sh" --interruption "${a% 200}" 2>&1)
                if [ $? -eq 1 ]; then
                    pause=5 # the registry did not answer in time: again soon, the notice is two minutes
                else
                    last=$a
                fi
                echo "interruption-watch: ${a% 200}: $said"
            }
            ;;
        *' 404') ;;
        *) t= ;;
    esac
done

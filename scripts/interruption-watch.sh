#!/bin/sh
# interruption-watch.sh: watches this instance's metadata for a spot interruption notice and
# reports it to the test's registry at once, so spotsh shows it while the node still runs.
# Userdata starts it after phone-home; it runs for the node's life.
#
#   interruption-watch.sh
#
# EC2 gives the two-minute warning to the instance itself (IMDS spot/instance-action, see the
# EC2 user guide "Spot Instance interruption notices"), not through the spot request's status.
# Every SPOTSH_INTERRUPTION_POLL seconds (default 5) it asks IMDSv2: PUT /latest/api/token once
# (kept until it expires: a 401 or no answer asks for a new one), then GET /latest/meta-data/spot/instance-action;
# 404 means no notice, a notice is {"action": "terminate", "time": "2026-12-06T12:04:10Z"}.
# Each new notice is reported once with the phone-home.sh beside it (--interruption), again next
# round only if the registry did not answer in time (exit status 1).
#
# Inputs, from the environment:
#   SPOTSH_METADATA_URL       the metadata service, default http://169.254.169.254 (the local
#                             cloud points its nodes at its own loopback endpoint); no trailing /
#   SPOTSH_INTERRUPTION_POLL  seconds between looks, default 5
#   and phone-home.sh's inputs (registry URL, test, role, instance id...)

u=${SPOTSH_METADATA_URL:-http://169.254.169.254}
while sleep "${SPOTSH_INTERRUPTION_POLL:-5}"; do
    [ -n "$t" ] || t=$(curl -sf -m 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" "$u/latest/api/token")
    a=$(curl -s -m 2 -w " %{http_code}" -H "X-aws-ec2-metadata-token: $t" "$u/latest/meta-data/spot/instance-action")
    case $a in
        *' 200')
            # {"action": "terminate", "time": "2026-12-06T12:04:10Z"}: the registry parses it
            [ "$a" = "$last" ] || {
                said=$("${0%/*}/phone-home.sh" --interruption "${a% 200}" 2>&1)
                [ $? -eq 1 ] || last=$a
                echo "interruption-watch: ${a% 200}: $said"
            }
            ;;
        *' 404') ;;
        *) t= ;;
    esac
done

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
# (kept for its six hours, renewed on a 401), then GET /latest/meta-data/spot/instance-action;
# 404 means no notice, a notice is {"action": "terminate", "time": "2026-12-06T12:04:10Z"}.
# Each new notice is reported once with phone-home.sh --interruption (retried next round if the
# registry did not take it, given up if it refused it).
#
# Inputs, from the environment:
#   SPOTSH_METADATA_URL       the metadata service, default http://169.254.169.254 (the local
#                             cloud points its nodes at its own loopback endpoint)
#   SPOTSH_INTERRUPTION_POLL  seconds between looks, default 5
#   SPOTSH_PHONE_HOME         the phone-home.sh to report with, default the one beside this script
#   and phone-home.sh's inputs (registry URL, test, role, instance id...)

imds=${SPOTSH_METADATA_URL:-http://169.254.169.254}
imds=${imds%/}
every=${SPOTSH_INTERRUPTION_POLL:-5}
case $every in '' | *[!0-9]*) echo "interruption-watch: SPOTSH_INTERRUPTION_POLL must be whole seconds, not '$every'" >&2; exit 2 ;; esac
phone_home=${SPOTSH_PHONE_HOME:-$(dirname "$0")/phone-home.sh}
newline='
'
token=
rounds=0
reported=

# The value of KEY in the notice's JSON: "KEY": "value" (IMDS sends no escapes in these fields).
field() {
    value=${body#*\"$1\"}
    [ "$value" != "$body" ] || { value=; return; }
    value=${value#*\"}
    value=${value%%\"*}
}

echo "interruption-watch: watching $imds/latest/meta-data/spot/instance-action every $every s"
while :; do
    # a token lives six hours: renew it well before
    if [ -z "$token" ] || [ $((rounds * every)) -ge 20000 ]; then
        rounds=0
        token=$(curl -sf -m 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" "$imds/latest/api/token") || token=
    fi
    if [ -n "$token" ]; then
        answer=$(curl -s -m 2 -w "$newline%{http_code}" -H "X-aws-ec2-metadata-token: $token" \
            "$imds/latest/meta-data/spot/instance-action")
        code=${answer##*"$newline"}
        body=${answer%"$newline"*}
        case $code in
            200)
                field action
                action=$value
                field time
                time=$value
                if [ -n "$action" ] && [ -n "$time" ] && [ "$action $time" != "$reported" ]; then
                    echo "interruption-watch: notice: $action at $time"
                    if said=$("$phone_home" --interruption "$action" "$time" 2>&1); then
                        reported="$action $time"
                        echo "interruption-watch: reported ($said)"
                    elif [ $? -eq 3 ]; then
                        reported="$action $time"  # refused: asking again would change nothing
                        echo "interruption-watch: the registry refused the notice: $said" >&2
                    else
                        echo "interruption-watch: not reported yet, trying again: $said" >&2
                    fi
                fi
                ;;
            404) ;;
            *) token= ;;  # 401 (token expired) or no answer (metadata service restarting): a new token next round
        esac
    fi
    rounds=$((rounds + 1))
    sleep "$every"
done

#!/bin/sh
# Runs inside the VM: osmo-stp on 127.0.0.1:2905, then sctp_probe as asp-a and asp-b.
# usage: guest-stp-probe.sh PATH/TO/sctp_probe
here="$(cd "$(dirname "$0")" && pwd)"
probe="$1"
log=/tmp/osmo-stp.log
osmo-stp -c "$here/osmo-stp.cfg" >"$log" 2>&1 &
stp=$!
i=0
until grep -q ' 2905 ' /proc/net/sctp/eps 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 150 ] || ! kill -0 $stp 2>/dev/null; then
    echo "osmo-stp did not listen:"; cat "$log"; kill $stp 2>/dev/null; exit 1
  fi
  sleep 0.1
done
rc=0
"$probe" 2906 2905 1 || rc=1
"$probe" 2907 2905 2 || rc=1
kill $stp 2>/dev/null
wait $stp 2>/dev/null
echo "---- osmo-stp (M3UA lines) ----"
grep -E 'M3UA|XUA|asp-' "$log" | tail -20
exit $rc

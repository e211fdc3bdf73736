"""RADIUS accounting (RFC 2866, issue 17), first slice: a real FreeRADIUS (Debian freeradius, its own config in a
temp dir, loopback port, the `detail` module as the record) receives Start and Stop for every answered call.

The gateway's primary server is a loopback port where nothing listens; the secondary is FreeRADIUS: every record
reaching FreeRADIUS shows the failover after the primary's timeouts. Verdicts: SIPp (3 answered calls held 1.2 s,
1 busy), FreeRADIUS's detail file (its own decode, after its check of the Request Authenticator with the shared
secret): one Start and one Stop per answered call with the same Acct-Session-Id (= BOOT-CALLID: the CDR's call id
after the run's boot id),
Acct-Session-Time = the CDR's duration rounded to seconds, nothing for the busy call."""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

from calltest import free_port, scenario, sip_port, uac, wait_circuits_reset
from harness import Checks, Daemon, sim_exchange_gateway, wait_until

FREERADIUS = shutil.which("freeradius") or shutil.which("radiusd")
if FREERADIUS is None:
    print("SKIP: freeradius not installed (scripts/setup.sh)")
    sys.exit(77)

c = Checks()
tmp = tempfile.mkdtemp(prefix="isupgw-radius-")
RAD_PORT = free_port()
DEAD_PORT = free_port()  # the primary: nothing listens there
SECRET = "s3cret-isupgw"
DETAIL = os.path.join(tmp, "detail")
with open(os.path.join(tmp, "radiusd.conf"), "w", encoding="utf-8") as f:
    f.write(f"""prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = {tmp}
raddbdir = {tmp}
radacctdir = {tmp}
name = radiusd
confdir = {tmp}
run_dir = {tmp}
libdir = /usr/lib/freeradius
dictdir = /usr/share/freeradius
pidfile = {tmp}/radiusd.pid
correct_escapes = true
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {{
  destination = stdout
}}
security {{
  allow_core_dumps = no
}}
thread pool {{
  start_servers = 1
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 4
}}
modules {{
  detail {{
    filename = {DETAIL}
    header = "%t"
    permissions = 0600
  }}
}}
client gateway {{
  ipaddr = 127.0.0.1
  secret = {SECRET}
}}
server acct {{
  listen {{
    type = acct
    ipaddr = 127.0.0.1
    port = {RAD_PORT}
  }}
  preacct {{
  }}
  accounting {{
    detail
  }}
}}
""")
secret_file = os.path.join(tmp, "secret")
with open(secret_file, "w", encoding="utf-8") as f:
    f.write(SECRET + "\n")
cdr_dir = os.path.join(tmp, "cdr")
SIM_PORT = free_port()
GW = sim_exchange_gateway(SIM_PORT, ring_ms=200, extra=f"""
cdr: {{directory: {cdr_dir}, formats: [csv], sync_interval_ms: 0}}
radius:
  servers: [{{address: 127.0.0.1, port: {DEAD_PORT}}}, {{address: 127.0.0.1, port: {RAD_PORT}}}]
  secret_file: {secret_file}
  timeout_ms: 300
  retries: 2
  nas_identifier: gw-radius-test
""")


def records():
    """FreeRADIUS's detail file: one dict per request (attribute -> value, quotes removed)."""
    try:
        with open(DETAIL, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return []
    out = []
    for block in text.split("\n\n"):
        attrs = dict(m.groups() for m in re.finditer(r"^\s+([\w-]+) = \"?(.*?)\"?$", block, re.M))
        if attrs:
            out.append(attrs)
    return out


rad_log = open(os.path.join(tmp, "radiusd.out"), "w", encoding="utf-8")
rad = subprocess.Popen([FREERADIUS, "-X", "-d", tmp, "-f"], stdout=rad_log, stderr=subprocess.STDOUT)
d = None
try:
    c.check("FreeRADIUS up", wait_until(lambda: "Ready to process requests" in open(rad_log.name).read(), 20),
            open(rad_log.name).read()[-2000:])
    d = Daemon(GW)
    line = d.wait_for(r"radius_accounting")
    c.check("one log line at start names both servers", line is not None and str(DEAD_PORT) in line and
            str(RAD_PORT) in line, line)
    port = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    rc, err = uac("sn:uac", port, calls=3, extra=["-d", "1200"])
    c.check("SIPp: 3 answered calls held 1.2 s", rc == 0, err[-500:])
    rc, err = uac(scenario("uac_expect.xml", 486), port, service="99017")
    c.check("SIPp: 1 busy call (486)", rc == 0, err[-500:])
    c.check("FreeRADIUS recorded 6 requests", wait_until(lambda: len(records()) >= 6, 15), records())
    recs = records()
    c.check("exactly 6 requests (3 Start, 3 Stop; none for the busy call)", len(recs) == 6,
            [(r.get("Acct-Status-Type"), r.get("Acct-Session-Id")) for r in recs])
    starts = {r["Acct-Session-Id"]: r for r in recs if r.get("Acct-Status-Type") == "Start"}
    stops = {r["Acct-Session-Id"]: r for r in recs if r.get("Acct-Status-Type") == "Stop"}
    c.check("3 distinct sessions, each with one Start and one Stop", len(starts) == 3 and set(starts) == set(stops),
            (sorted(starts), sorted(stops)))
    c.check("NAS-Identifier and numbers carried", all(r.get("NAS-Identifier") == "gw-radius-test" and
                                                      r.get("Called-Station-Id") and r.get("Calling-Station-Id")
                                                      for r in recs), recs)
    c.check("Stop: Acct-Terminate-Cause User-Request (caller's BYE, Q.850 16)",
            all(r.get("Acct-Terminate-Cause") == "User-Request" for r in stops.values()), stops)
    with open(os.path.join(cdr_dir, "cdr.csv"), encoding="utf-8") as f:
        cdrs = {r["call_id"]: r for r in csv.DictReader(f)}
    boot = re.search(r"boot_id=(\w+)", line or "")
    # Acct-Session-Id = BOOT-CALLID: unique across restarts (the call id starts again at 1).
    answered = {f"{boot.group(1) if boot else '?'}-{k}": r for k, r in cdrs.items() if r["answer"]}
    c.check("Acct-Session-Id = the start line's boot id + '-' + the CDR's call id of each answered call",
            set(answered) == set(stops), (sorted(answered), sorted(stops)))
    times = {k: (int(stops[k]["Acct-Session-Time"]), int(answered[k]["duration_ms"])) for k in stops if k in answered}
    c.check("Acct-Session-Time = the CDR's duration rounded to seconds (SIPp held each call 1.2 s)",
            len(times) == 3 and all(t == (ms + 500) // 1000 and 1 <= t <= 2 for t, ms in times.values()), times)
    c.check("the gateway failed over to the secondary after the primary's timeouts",
            d.wait_for(r"radius_failover") is not None, d.lines[-20:])
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    if d is not None:
        d.cleanup()
    rad.terminate()
    try:
        rad.wait(10)
    except subprocess.TimeoutExpired:
        rad.kill()
        rad.wait()
    rad_log.close()
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

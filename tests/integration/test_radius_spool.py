"""RADIUS accounting spool (RFC 2866, issue 17): a real FreeRADIUS (tests/integration/freeradius.py) is stopped
mid-run and started again; what the gateway could not send meanwhile waits in its spool file and arrives after
the server returns; a gateway stopped with records in the spool sends them after its restart.

Verdicts from FreeRADIUS's detail file (its own decode, after its check of the Request Authenticator), SIPp
(every call answered and held) and the CDR file (which calls were answered): every answered call has exactly one
Start and one Stop, Acct-Session-Id = BOOT-CALLID (the CDR's call id after the run's boot id); none twice: no
(Acct-Session-Id, Acct-Status-Type, Event-Timestamp) recorded twice; each session's Start before its
Interim-Updates before its Stop; spooled records carry their wait in Acct-Delay-Time (RFC 2866 5.2). The outage
lasts until the gateway has spooled 8 records (a few seconds); ISUPGW_RADIUS_OUTAGE_S=30 (scripts/radius-spool)
holds it that long instead and places more calls."""
import collections
import csv
import os
import re
import shutil
import sys
import tempfile
import threading
import time

from calltest import free_port, sip_port, uac, wait_circuits_reset
from freeradius import FREERADIUS, FreeRadius
from harness import Checks, Daemon, sim_exchange_gateway, wait_until

if FREERADIUS is None:
    print("SKIP: freeradius not installed (scripts/setup.sh)")
    sys.exit(77)

OUTAGE_S = float(os.environ.get("ISUPGW_RADIUS_OUTAGE_S", "0"))  # 0: until 8 records are spooled
RATE = 2  # calls/s
BATCH = 12  # calls per SIPp run (6 s: SIPp's own -timeout is 25 s)
BATCHES = 1 if OUTAGE_S == 0 else int((OUTAGE_S + 12) // 6) + 1  # back to back, through the whole outage
CALLS = BATCH * BATCHES
HOLD_MS = 2500

c = Checks()
tmp = tempfile.mkdtemp(prefix="isupgw-radius-spool-")
SECRET = "s3cret-spool"
rad = FreeRadius(tmp, free_port(), SECRET)
secret_file = os.path.join(tmp, "secret")
with open(secret_file, "w", encoding="utf-8") as f:
    f.write(SECRET + "\n")
cdr_dir = os.path.join(tmp, "cdr")
spool = os.path.join(tmp, "radius.spool")
SIM_PORT = free_port()
# One try of 1 s: a Response later than the timeout makes the gateway send the record again, which FreeRADIUS
# would then record twice (a stall of a loaded machine must not look like a duplicate of ours).
GW = sim_exchange_gateway(SIM_PORT, ring_ms=100, extra=f"""
cdr: {{directory: {cdr_dir}, formats: [csv], sync_interval_ms: 0}}
radius:
  servers: [{{address: 127.0.0.1, port: {rad.port}}}]
  secret_file: {secret_file}
  timeout_ms: 1000
  retries: 1
  nas_identifier: gw-spool-test
  spool_file: {spool}
  interim_interval_s: 1
""")


def spooled():
    """Records in the spool file not yet acknowledged (R lines minus A lines)."""
    try:
        with open(spool, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError:
        return 0
    return sum(1 for x in lines if x.startswith("R ")) - sum(1 for x in lines if x == "A")


def boot_of(d):
    line = d.wait_for(r"radius_accounting .*boot_id=")
    m = re.search(r"boot_id=(\w+)", line or "")
    return m.group(1) if m else None


def answered_calls():
    with open(os.path.join(cdr_dir, "cdr.csv"), encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["answer"]]


d = d2 = None
try:
    c.check("FreeRADIUS up", rad.start(), "")
    d = Daemon(GW)
    boot1 = boot_of(d)
    c.check("the start line names the spool and a boot id", boot1 is not None and spool in (d.wait_for("radius_accounting") or ""),
            d.lines[-5:])
    port = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])

    # Phase 1: calls at 2/s, each held 2.5 s; FreeRADIUS stopped once it has recorded 2 Starts.
    result = {}
    def place_calls():
        for _ in range(BATCHES):
            rc, err = uac("sn:uac", port, calls=BATCH, extra=["-r", str(RATE), "-d", str(HOLD_MS)])
            result.update(rc=result.get("rc", 0) or rc, err=result.get("err", "") + err)

    sipp = threading.Thread(target=place_calls)
    sipp.start()
    c.check("FreeRADIUS recorded the first Starts", wait_until(
        lambda: sum(r.get("Acct-Status-Type") == "Start" for r in rad.records()) >= 2, 15), rad.records())
    rad.stop(crash=True)
    t_down = time.monotonic()
    c.check("the gateway spools once no server answers", d.wait_for(r"radius_spooling", 15) is not None, d.lines[-10:])
    if OUTAGE_S > 0:
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - t_down)))  # the outage is the run's parameter
    c.check("8 records wait in the spool file", wait_until(lambda: spooled() >= 8, 20), spooled())
    at_return = spooled()
    outage = time.monotonic() - t_down
    c.check("FreeRADIUS up again (same port, same detail file)", rad.start(), "")
    t_up = time.monotonic()
    drained = d.wait_for(r"radius_spool_drained", 30)
    c.check("the spool is sent once the server answers", drained is not None, d.lines[-10:])
    t_drained = time.monotonic()
    sipp.join(CALLS / RATE + 60)
    c.check(f"SIPp: {CALLS} calls answered and held", result.get("rc") == 0, result.get("err", "")[-500:])
    wait_until(lambda: len(answered_calls()) >= CALLS, 20)  # each record follows its RLC
    answered = answered_calls()
    c.check(f"the CDR has {CALLS} answered calls", len(answered) == CALLS, len(answered))
    want = {f"{boot1}-{r['call_id']}" for r in answered}

    def complete():
        recs = rad.records()
        stops = {r.get("Acct-Session-Id") for r in recs if r.get("Acct-Status-Type") == "Stop"}
        return want <= stops

    c.check("FreeRADIUS has a Stop for every answered call", wait_until(complete, 30), "")
    c.check("the spool file is empty once sent", wait_until(lambda: spooled() == 0, 10), spooled())

    # Phase 2: stopped with records in the spool, the gateway sends them after its restart.
    rad.stop(crash=True)
    rc, err = uac("sn:uac", port, calls=2, extra=["-d", "500"])
    c.check("SIPp: 2 more calls while FreeRADIUS is down", rc == 0, err[-500:])
    c.check("their Start and Stop wait in the spool", wait_until(lambda: spooled() >= 4, 20), spooled())
    rc, _ = d.stop(10)
    c.check("gateway stops cleanly with records in the spool", rc == 0, rc)
    left = spooled()
    c.check("the spool file keeps them (4, or 5 with an Interim-Update of a call held longer on a loaded machine)",
            4 <= left <= 6, left)
    c.check("FreeRADIUS up again", rad.start(), "")
    d2 = Daemon(GW)
    boot2 = boot_of(d2)
    found = d2.wait_for(r"radius_spool_found")
    c.check(f"the restarted gateway finds the spool (records={left})", found is not None and f"records={left} " in found,
            found)
    c.check("and sends it", d2.wait_for(r"radius_spool_drained", 20) is not None, d2.lines[-10:])
    port2 = sip_port(d2)
    c.check("link up after the restart", wait_circuits_reset(d2), d2.lines[-10:])
    rc, err = uac("sn:uac", port2, calls=1, extra=["-d", "200"])
    c.check("SIPp: 1 call after the restart", rc == 0, err[-500:])
    wait_until(lambda: len(answered_calls()) >= CALLS + 3, 20)  # the record follows the RLC
    answered = answered_calls()
    c.check(f"the CDR has {CALLS + 3} answered calls; call ids repeat after the restart",
            len(answered) == CALLS + 3 and len({r["call_id"] for r in answered}) < len(answered),
            [r["call_id"] for r in answered])
    want = [f"{boot1}-{r['call_id']}" for r in answered[:CALLS + 2]] + [f"{boot2}-{answered[-1]['call_id']}"]
    c.check("boot ids differ", boot1 != boot2, (boot1, boot2))
    c.check("FreeRADIUS has the Stop of the last call",
            wait_until(lambda: f"{boot2}-{answered[-1]['call_id']}" in
                       {r.get("Acct-Session-Id") for r in rad.records() if r.get("Acct-Status-Type") == "Stop"}, 15), "")
    rc, _ = d2.stop()
    c.check("restarted gateway stops cleanly", rc == 0, rc)

    recs = rad.records()
    by_kind = collections.Counter((r.get("Acct-Session-Id"), r.get("Acct-Status-Type")) for r in recs)
    c.check(f"exactly one Start and one Stop for each of the {len(want)} answered calls (Acct-Session-Id unique)",
            len(set(want)) == len(want) and all(by_kind[(s, "Start")] == 1 and by_kind[(s, "Stop")] == 1 for s in want),
            {s: (by_kind[(s, 'Start')], by_kind[(s, 'Stop')]) for s in want})
    events = collections.Counter((r.get("Acct-Session-Id"), r.get("Acct-Status-Type"), r.get("Event-Timestamp"))
                                 for r in recs)
    twice = [k for k, n in events.items() if n > 1]
    c.check("none twice: no (Acct-Session-Id, Acct-Status-Type, Event-Timestamp) recorded twice", not twice,
            [r for r in recs if (r.get("Acct-Session-Id"), r.get("Acct-Status-Type"), r.get("Event-Timestamp")) in twice])
    c.check("nothing for sessions that are not answered calls", {r.get("Acct-Session-Id") for r in recs} == set(want),
            sorted({r.get("Acct-Session-Id") for r in recs} - set(want)))
    order_ok = True
    for s in want:
        kinds = [r.get("Acct-Status-Type") for r in recs if r.get("Acct-Session-Id") == s]
        order_ok &= kinds[0] == "Start" and kinds[-1] == "Stop" and all(k == "Interim-Update" for k in kinds[1:-1])
    c.check("each session: Start, Interim-Updates, Stop, in that order", order_ok, "")
    interims = [r for r in recs if r.get("Acct-Status-Type") == "Interim-Update"]
    c.check("Interim-Updates (every 1 s) carry the session time so far", interims and all(
        1 <= int(r.get("Acct-Session-Time", 0)) <= HOLD_MS // 1000 + 3 for r in interims),
        [(r.get("Acct-Session-Id"), r.get("Acct-Session-Time")) for r in interims])
    delayed = [r for r in recs if int(r.get("Acct-Delay-Time", 0)) >= 1]
    c.check("spooled records carry their wait in Acct-Delay-Time", len(delayed) >= at_return // 2,
            (len(delayed), at_return))
    print(f"FIGURES outage_s={outage:.1f} spooled_at_return={at_return} spool_sent_after_return_s={t_drained - t_up:.1f} "
          f"answered_calls={len(want)} records={len(recs)} interim_updates={len(interims)} "
          f"max_delay_s={max(int(r.get('Acct-Delay-Time', 0)) for r in recs)} duplicates={len(twice)}")
finally:
    for x in (d, d2):
        if x is not None:
            x.cleanup()
    rad.stop()
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

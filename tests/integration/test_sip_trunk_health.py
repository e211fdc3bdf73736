"""Trunk health in routing (issue 18): isup-peer's IAMs -> isupgw -> SIP trunk `a`
(SIPp UAS 1) with trunk `b` (SIPp UAS 2) as the route's alternate; both trunks are
pinged with OPTIONS every second, `a` is down after one failure.

Calls flow steadily (one every ~100 ms) to UAS 1; UAS 1 is killed (SIGKILL) in the
middle of them. Its port is closed, so what the gateway sends there comes back as an
ICMP port unreachable (IP_RECVERR): the INVITE's transaction fails with a transport
error (RFC 3261 18.4, 8.1.3.1), the trunk is down at once and the call hunts to `b`.
Oracles: UAS 2's own message trace gives the time of the first INVITE it received,
against the test's clock at the kill (within one OPTIONS interval); isup-peer passes
every call (ACM, ANM, RLC for each; every CIC idle in the closing CQR): no failed
call; the gateway's transition line (our own log: weak) also within one interval."""
import csv
import datetime
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from calltest import IsupPeer, free_port, m3ua_port, scenario, wait_port
from harness import Checks, Daemon, isup_peer_ss7, wait_until

c = Checks()
INTERVAL_MS = 1000
UAS1, UAS2 = free_port(), free_port()
GW = f"""
logging: {{level: info}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks:
    - {{name: a, address: 127.0.0.1, port: {UAS1}, options_interval_ms: {INTERVAL_MS}, down_after: 1, up_after: 2}}
    - {{name: b, address: 127.0.0.1, port: {UAS2}, options_interval_ms: {INTERVAL_MS}, down_after: 3}}
{isup_peer_ss7('1-31')}routes: [{{prefix: "", from: tg-peer, targets: [{{sip_trunk: a}}, {{sip_trunk: b}}]}}]
"""
PRELUDE = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
"""
CQM = """
wait   300ms
send   CQM cic=1 range=30
expect CQR cic=1 range=30 circuit_state_indicator=%s
""" % ("0c" * 31)


def calls(first_cic, n, pause_ms=0):
    body = ""
    for cic in range(first_cic, first_cic + n):
        body += f"""
send   IAM cic={cic} called=5551234F calling=30999
expect ACM cic={cic}
expect ANM cic={cic}
send   REL cic={cic} cause=16
expect RLC cic={cic}
"""
        if pause_ms:
            body += f"wait   {pause_ms}ms\n"
    return body


work = tempfile.mkdtemp(prefix="isupgw-health-")


def start_uas(name, port):
    run_dir = os.path.join(work, name)
    os.makedirs(run_dir)
    argv = ["/usr/bin/sipp", "-sf", scenario("uas_options_or_call.xml"), "-i", "127.0.0.1", "-p", str(port), "-nostdin",
            "-timeout", "90", "-max_recv_loops", "1000", "-trace_counts", "-fd", "1", "-trace_msg"]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=run_dir)
    wait_port(port, "udp")
    return p, run_dir


def invites(run_dir):
    """The UAS's count of INVITEs received (message 1 of its scenario), from its -trace_counts file."""
    files = glob.glob(os.path.join(run_dir, "*_counts.csv"))
    if not files:
        return -1
    with open(files[0]) as f:
        rows = list(csv.reader(f, delimiter=";"))
    return int(dict(zip(rows[0], rows[-1])).get("1_INVITE_Recv", -1)) if len(rows) >= 2 else -1


def first_invite_time(run_dir):
    """Wall-clock time of the first INVITE in the UAS's own message trace (-trace_msg), or None."""
    files = glob.glob(os.path.join(run_dir, "*_messages.log"))
    if not files:
        return None
    with open(files[0], errors="replace") as f:
        text = f.read()
    m = re.search(r"-{10,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n\w+ message received \[\d+\] bytes :\n\nINVITE ", text)
    if not m:
        return None
    return datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()  # SIPp writes local time


def stop_uas(p):
    if p.poll() is None:
        p.send_signal(signal.SIGUSR1)  # SIPp: quit, writing its statistics
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


u1, dir1 = start_uas("uas1", UAS1)
u2, dir2 = start_uas("uas2", UAS2)
d = Daemon(GW)
try:
    mport = m3ua_port(d, "peer")
    N = 30
    peer = IsupPeer(PRELUDE + calls(1, N, pause_ms=100) + CQM, mport, timeout=60)
    # A few calls answered by UAS 1 first (the gateway's answer lines only say when to kill).
    answered = lambda: sum("action=forward_answer" in l for l in d.lines)
    c.check("calls flow to UAS 1", wait_until(lambda: answered() >= 4, 30), d.lines[-8:])
    killed, killed_mono = time.time(), time.monotonic()
    u1.kill()  # the peer dies (no goodbye) while calls flow
    u1.wait()
    line = d.wait_for(r"trunk_health_transition trunk=a from=UP to=DOWN", timeout=15)
    took = time.monotonic() - killed_mono
    c.check(f"{N} calls around the death of UAS 1: isup-peer passes every one (ACM, ANM, RLC; CICs idle)",
            peer.join(90), peer.output()[-600:])
    peer.cleanup()
    stop_uas(u2)
    first = first_invite_time(dir2)
    c.check(f"UAS 2's first INVITE {first - killed if first else float('nan'):.3f} s after UAS 1 was killed "
            f"(its own trace; at most one OPTIONS interval, {INTERVAL_MS} ms)",
            first is not None and first - killed <= INTERVAL_MS / 1000, (first, killed))
    c.check(f"UAS 2 took the calls after the death ({invites(dir2)} INVITEs)", 0 < invites(dir2) < N, invites(dir2))
    c.check(f"trunk a marked down {took:.3f} s after its peer died (gateway log, weak; within one interval)",
            line is not None and took <= INTERVAL_MS / 1000, d.lines[-8:])
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    for p in (u1, u2):
        if p.poll() is None:
            p.kill()
            p.wait()
    d.cleanup()
    shutil.rmtree(work, ignore_errors=True)
c.finish()

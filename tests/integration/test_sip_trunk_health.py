"""Trunk health in routing (issue 18): isup-peer's IAMs -> isupgw -> SIP trunk `a`
(SIPp UAS 1) with trunk `b` (SIPp UAS 2) as the route's alternate; both trunks are
pinged with OPTIONS every second, `a` is down after one failure (a ping without a
final response when the next is due).

Calls go to UAS 1 while it lives; UAS 1 is killed; the gateway marks `a` down
(its transition line, timed from the kill: at most two intervals); then every
call goes to UAS 2 and completes. Oracles: isup-peer (ACM, ANM, RLC for each call,
every CIC idle in the closing CQR) and the SIPp UASes' INVITE counts; the time of
the transition is from the gateway's own log line (no outside view of it)."""
import csv
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time

from calltest import IsupPeer, free_port, m3ua_port, scenario, wait_port
from harness import Checks, Daemon, isup_peer_ss7

c = Checks()
INTERVAL_MS = 1000
UAS1, UAS2 = free_port(), free_port()
GW = f"""
logging: {{level: info}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks:
    - {{name: a, address: 127.0.0.1, port: {UAS1}, options_interval_ms: {INTERVAL_MS}, down_after: 1, up_after: 2}}
    - {{name: b, address: 127.0.0.1, port: {UAS2}, options_interval_ms: {INTERVAL_MS}}}
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


def calls(first_cic, n):
    body = ""
    for cic in range(first_cic, first_cic + n):
        body += f"""
send   IAM cic={cic} called=5551234F calling=30999
expect ACM cic={cic}
expect ANM cic={cic}
send   REL cic={cic} cause=16
expect RLC cic={cic}
"""
    return body


work = tempfile.mkdtemp(prefix="isupgw-health-")


def start_uas(name, port):
    run_dir = os.path.join(work, name)
    os.makedirs(run_dir)
    argv = ["/usr/bin/sipp", "-sf", scenario("uas_options_or_call.xml"), "-i", "127.0.0.1", "-p", str(port), "-nostdin",
            "-timeout", "90", "-max_recv_loops", "1000", "-trace_counts", "-fd", "1"]
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
    peer = IsupPeer(PRELUDE + calls(1, 3) + CQM, mport, timeout=30)
    c.check("3 calls while UAS 1 lives: isup-peer passes", peer.join(40), peer.output()[-600:])
    peer.cleanup()
    killed = time.monotonic()
    u1.kill()  # the peer dies (no goodbye)
    u1.wait()
    line = d.wait_for(r"trunk_health_transition trunk=a from=UP to=DOWN", timeout=15)
    took = time.monotonic() - killed
    c.check(f"trunk a marked down {took:.1f} s after its peer died (at most 2 OPTIONS intervals + 1 s)",
            line is not None and took <= 2 * INTERVAL_MS / 1000 + 1.0, d.lines[-8:])
    peer = IsupPeer(PRELUDE + calls(10, 10) + CQM, mport, timeout=40)
    c.check("10 calls after the trunk is down: isup-peer passes every one (ACM, ANM, RLC; CICs idle)",
            peer.join(60), peer.output()[-600:])
    peer.cleanup()
    stop_uas(u2)
    c.check("UAS 2 answered those 10 calls and none of the first 3 (its own INVITE count)", invites(dir2) == 10,
            invites(dir2))
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

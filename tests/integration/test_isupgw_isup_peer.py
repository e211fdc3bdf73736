"""isupgw (the daemon, M3UA IPSP server over TCP) against isup-peer (a scriptable
exchange, IPSP client): the gateway resets its circuits with GRS when the peer
appears, answers the peer's GRS, CGB/CGU (range and status) and BLO/UBL, refuses
an incoming call with cause 41 while no call engine exists, answers an unknown
message type with CFN (cause 97), and a final circuit
query (CQM/CQR) shows every CIC idle and unblocked. When the peer restarts, the
gateway resets all 31 circuits with one GRS and sends nothing else."""
import os
import re
import tempfile

from harness import BIN, Checks, Daemon, run, isup_peer_ss7

GATEWAY = """
logging: {level: info, subsystems: {isup: debug}}
""" + isup_peer_ss7("1-31")
# Point codes 100 / 200 are isup-peer's defaults.
SCENARIO = """
# The gateway resets its 31 circuits when the destination becomes available.
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
# Our own reset of the group: all circuits unblocked in the answer.
send   GRS cic=1 range=30
expect GRA cic=1 range=30 status=00000000
# Group blocking and unblocking (maintenance type) with range and status.
send   CGB cic=1 type=0 range=7 status=ff
expect CGBA cic=1 type=0 range=7 status=ff
send   CGU cic=1 type=0 range=7 status=ff
expect CGUA cic=1 range=7 status=ff
# Single-circuit blocking.
send   BLO cic=9
expect BLA cic=9
send   UBL cic=9
expect UBA cic=9
# An incoming call: no call engine yet, so a clean refusal with cause 41.
send   IAM cic=3 called=1234F
expect REL cic=3 cause=41
send   RLC cic=3
wait   200ms
# Q.764 2.9.5.1: an unrecognized message type (0xEE) without message compatibility
# information is discarded and answered with CFN, cause 97.
send   RAW hex=0500ee00
expect CFN cic=5 cause=97
# Every circuit idle and unblocked at the end.
send   CQM cic=1 range=30
expect CQR cic=1 range=30 circuit_state_indicator=%s
""" % ("0c" * 31)

RESTART = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
wait   1s
send   CQM cic=1 range=30
expect CQR cic=1 range=30 circuit_state_indicator=%s
""" % ("0c" * 31)

c = Checks()
peer = os.path.join(os.path.dirname(BIN), "isup-peer")
d = Daemon(GATEWAY)
scen = None
try:
    line = d.wait_for(r"m3ua listening link=peer transport=tcp address=127.0.0.1 port=(\d+)")
    c.check("gateway listens for M3UA", line is not None, d.lines)
    port = int(re.search(r"port=(\d+)", line).group(1)) if line else 9
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(SCENARIO)
        scen = f.name
    r = run([peer, "--m3ua-connect", f"127.0.0.1:{port}", "--opc", "200", "--dpc", "100", "--timeout", "30", scen])
    c.check("isup-peer scenario passes against isupgw", r.returncode == 0 and "1 passed, 0 failed" in r.stdout,
            r.stdout + r.stderr + "\n".join(d.lines[-30:]))
    c.check("gateway counted the refused call", d.wait_for(r"incoming_call_refused cic=3 cause=41") is not None)
    # The peer restarts (its association went down when isup-peer exited and
    # comes back now): MTP-PAUSE, then on MTP-RESUME one group reset of all 31
    # circuits, and nothing else (a storm of RSC/GRS would reach the CQR expect first).
    with open(scen, "w") as f:
        f.write(RESTART)
    r = run([peer, "--m3ua-connect", f"127.0.0.1:{port}", "--opc", "200", "--dpc", "100", "--timeout", "30", scen])
    c.check("after a peer restart: one paced GRS, then every CIC idle and nothing else",
            r.returncode == 0 and "1 passed, 0 failed" in r.stdout, r.stdout + r.stderr + "\n".join(d.lines[-30:]))
    grs = [l for l in d.lines if "tx" in l and "msg=GRS" in l]
    c.check("GRS sent once per (re)start of the peer: 2 in all", len(grs) == 2, grs)
    rc, took = d.stop()
    c.check("gateway stops cleanly", rc == 0 and took < 2.5, (rc, took))
finally:
    d.cleanup()
    if scen:
        os.unlink(scen)
c.finish()

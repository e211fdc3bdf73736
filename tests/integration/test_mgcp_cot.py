"""Continuity check (Q.764 2.1.8) on a TDM circuit through the MG simulator:
isupgw (M3UA IPSP server, trunk group bound to mg-sim's E1 endpoints) against
isup-peer. An IAM with "continuity check required" makes the gateway loop the
circuit's endpoint (MGCP CRCX M: loopback on ds/e1-0/CIC@mg1); a successful COT
removes the loop and lets the call proceed; a failed COT removes it and the
circuit waits for the re-check (CCR), which loops it again. mg-sim's own
bookkeeping shows the loop while the check runs and nothing left at the end;
a final CQM shows every CIC idle."""
import re
import time

from calltest import IsupPeer
from harness import Checks, Daemon, isup_peer_ss7
from mgsim import MgSim

GATEWAY = """
logging: {level: info, subsystems: {isup: debug, mgcp: debug}}
media_gateways:
  - {name: mg1, address: {address: 127.0.0.1, port: %d}, local: {address: 127.0.0.1}, keepalive_ms: 500}
""" + isup_peer_ss7("1-31", 'media_gateway: mg1, endpoints: "ds/e1-{span}/{timeslot}@mg1"')

SCENARIO = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
# Passing: IAM with continuity check required on this circuit; the loop is in
# place while we wait, the successful COT removes it and the call goes on.
send   IAM cic=4 called=1234F cc=1
wait   600ms
send   COT cic=4 ok=1
expect REL cic=4
send   RLC cic=4
# Failing: the failed COT removes the loop; the re-check request loops it again
# until its COT arrives.
send   IAM cic=5 called=1234F cc=1
wait   600ms
send   COT cic=5 ok=0
wait   300ms
send   CCR cic=5
wait   600ms
send   COT cic=5 ok=1
wait   300ms
send   CQM cic=1 range=30
expect CQR cic=1 range=30 circuit_state_indicator=%s
""" % ("0c" * 31)

c = Checks()
sim = MgSim("mg1", "--spans", "2")
d = None
peer = None
samples = []
try:
    c.check("mg-sim ready", sim.port is not None)
    d = Daemon(GATEWAY % (sim.port or 9))
    line = d.wait_for(r"m3ua listening link=peer transport=tcp address=127.0.0.1 port=(\d+)")
    c.check("gateway listens for M3UA", line is not None, d.lines)
    c.check("gateway's MGCP side is up", d.wait_for(r"mgcp_ready mg=mg1") is not None, d.lines[-20:])
    port = int(re.search(r"port=(\d+)", line).group(1)) if line else 9
    peer = IsupPeer(SCENARIO, port, timeout=30)
    while peer.running():
        samples.append(sim.stats().get("connections", -1))
        time.sleep(0.05)  # sampling period while the scenario runs
    c.check("isup-peer scenario passes against isupgw", peer.join(), peer.output() + "\n".join(d.lines[-40:]))
    c.check("a loop existed on the MG while a check ran", max(samples or [0]) >= 1, samples)
    final = sim.stats()
    c.check("no connection left on the MG", final.get("connections") == 0, final)
    looped = [l for l in d.lines if "cot.transition" in l and "to=looped" in l]
    c.check("three loops: CIC 4, CIC 5, CIC 5 again after CCR", len(looped) == 3 and
            sum("ds/e1-0/5@mg1" in l for l in looped) == 2, looped)
    c.check("every loop deleted", len([l for l in d.lines if "cot.transition" in l and "event=deleted" in l]) == 3,
            [l for l in d.lines if "cot." in l])
    rc, took = d.stop()
    c.check("gateway stops cleanly", rc == 0, (rc, took))
finally:
    if d:
        d.cleanup()
    sim.stop()
    if peer:
        peer.cleanup()
c.finish()

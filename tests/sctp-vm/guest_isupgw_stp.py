"""Runs inside the VM (kernel SCTP): osmo-stp with two static ASPs, and two isupgw
daemons as those ASPs over real SCTP (PPID 3, source ports 2906/2907 as osmo-stp
expects). ISUP travels A -> STP -> B and back: each gateway resets its circuits
with GRS towards the other's point code and the other answers GRA.
usage: guest_isupgw_stp.py ISUPGW_BIN"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
os.environ["ISUPGW_BIN"] = sys.argv[1]
from harness import Checks, Daemon  # noqa: E402

CONFIG = """
logging: {{level: info, subsystems: {{isup: debug, m3ua: debug}}}}
ss7:
  m3ua_links:
    - {{name: stp, role: asp, transport: sctp, remote: {{address: 127.0.0.1, port: 2905}},
       local: {{address: 127.0.0.1, port: {lport}}}, routing_contexts: [{rc}], traffic_mode: override}}
  routes: [{{dpc: default, links: [stp]}}]
  trunk_groups: [{{name: tg, opc: {opc}, dpc: {dpc}, cics: ["1-31"]}}]
"""

c = Checks()
log = open("/tmp/osmo-stp.log", "w")
stp = subprocess.Popen(["osmo-stp", "-c", os.path.join(HERE, "osmo-stp.cfg")], stdout=log, stderr=log)
for _ in range(200):
    with open("/proc/net/sctp/eps") as f:
        if " 2905 " in f.read():
            break
    time.sleep(0.1)
else:
    c.check("osmo-stp listens on SCTP 2905", False)
    c.finish()

a = Daemon(CONFIG.format(lport=2906, rc=1, opc="0-0-1", dpc="0-0-2"))
b = Daemon(CONFIG.format(lport=2907, rc=2, opc="0-0-2", dpc="0-0-1"))
try:
    for name, d in (("A", a), ("B", b)):
        c.check(f"{name}: SCTP association up", d.wait_for(r"sctp_connected", 60) is not None, d.lines[-10:])
        c.check(f"{name}: ASP active at osmo-stp",
                d.wait_for(r"asp_fsm_transition asp=stp .*to=ASP-ACTIVE", 60) is not None, d.lines[-10:])
    for name, d, other in (("A", a, "B"), ("B", b, "A")):
        c.check(f"{name}: GRS sent through the STP", d.wait_for(r"isup tx group=tg cic=1 msg=GRS", 60) is not None)
        c.check(f"{name}: GRS from {other} received through the STP",
                d.wait_for(r"isup rx group=tg cic=1 msg=GRS", 60) is not None, d.lines[-15:])
        c.check(f"{name}: GRA from {other} completes the reset",
                d.wait_for(r"fsm=circuit_group group=tg cic=1 from=await_gra event=GRA to=done", 60) is not None)
    for name, d in (("A", a), ("B", b)):
        rc, took = d.stop(15)
        c.check(f"{name}: stops cleanly with ASPDN", rc == 0 and any("type=ASPDN" in l for l in d.lines), (rc, took))
finally:
    for d in (a, b):
        d.cleanup()
    stp.terminate()
    stp.wait(10)
    log.close()
    with open("/tmp/osmo-stp.log") as f:
        lines = [l.rstrip() for l in f if "M3UA" in l or "asp-" in l]
    print("---- osmo-stp (M3UA lines) ----")
    print("\n".join(lines[-20:]))
c.finish()

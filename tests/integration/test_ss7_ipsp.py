"""Two isupgw daemons joined by M3UA IPSP over TCP on loopback (ephemeral port):
the association comes up (ASPUP/ASPAC), MTP-RESUME reaches ISUP, each side resets
its circuits with GRS and the other answers GRA; a peer restart is seen as
MTP-PAUSE then MTP-RESUME with a fresh reset, and SIGTERM takes both down with ASPDN."""
import re

from harness import Checks, Daemon

SERVER = """
logging: {level: info, subsystems: {isup: debug, m3ua: debug}}
ss7:
  m3ua_links: [{name: to-b, role: ipsp_server, transport: tcp, local: {address: 127.0.0.1, port: 0},
                routing_contexts: [7]}]
  routes: [{dpc: 0-0-2, links: [to-b]}]
  trunk_groups: [{name: tg-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}]
"""
CLIENT = """
logging: {level: info, subsystems: {isup: debug, m3ua: debug}}
ss7:
  m3ua_links: [{name: to-a, role: ipsp_client, transport: tcp, remote: {address: 127.0.0.1, port: %d},
                routing_contexts: [7]}]
  routes: [{dpc: 0-0-1, links: [to-a]}]
  trunk_groups: [{name: tg-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]}]
"""

c = Checks()
a = Daemon(SERVER)
b = b2 = None
try:
    line = a.wait_for(r"m3ua listening link=to-b transport=tcp address=127.0.0.1 port=(\d+)")
    c.check("server listens on an ephemeral port", line is not None, a.lines)
    port = int(re.search(r"port=(\d+)", line).group(1)) if line else 9
    c.check("ISUP starts with the destination paused", a.wait_for(r"isup mtp.pause dpc=2") is not None)

    b = Daemon(CLIENT % port)
    c.check("client: ASP active", b.wait_for(r"asp_fsm_transition asp=to-a .*to=ASP-ACTIVE") is not None, b.lines)
    c.check("server: peer ASP active", a.wait_for(r"peer_asp_fsm_transition peer=to-b .*to=ASP-ACTIVE") is not None)
    c.check("server: MTP-RESUME for 0-0-2", a.wait_for(r"isup mtp.resume dpc=2") is not None)
    c.check("client: MTP-RESUME for 0-0-1", b.wait_for(r"isup mtp.resume dpc=1") is not None)
    for name, d in (("server", a), ("client", b)):
        c.check(f"{name}: sends GRS", d.wait_for(r"isup tx group=\S+ cic=1 msg=GRS") is not None)
        c.check(f"{name}: answers the peer's GRS with GRA", d.wait_for(r"isup tx group=\S+ cic=1 msg=GRA") is not None)
        c.check(f"{name}: its reset completes on GRA",
                d.wait_for(r"fsm=circuit_group group=\S+ cic=1 from=await_gra event=GRA to=done") is not None)

    # Peer restart: the server sees PAUSE, then RESUME and a new reset once the client is back.
    n = len(a.lines)
    rc, took = b.stop()
    c.check("client stops cleanly on SIGTERM", rc == 0 and took < 2.0, (rc, took))
    c.check("client said ASPDN", any("tx link=to-a type=ASPDN" in l for l in b.lines))
    c.check("server: MTP-PAUSE after the peer left", a.wait_for(r"isup mtp.pause dpc=2", start=n) is not None)
    b2 = Daemon(CLIENT % port)
    c.check("server: MTP-RESUME after the peer came back", a.wait_for(r"isup mtp.resume dpc=2", start=n) is not None)
    c.check("server: circuits reset again after the outage",
            a.wait_for(r"isup tx group=tg-b cic=1 msg=GRS", start=n) is not None)
    rc, _ = b2.stop()
    rc2, took = a.stop()
    bad = [l for l in a.lines + b.lines + b2.lines
           if re.search(r"counter name=\S*(decode_errors|framing_errors|rx.err|unknown)\S* value=[1-9]", l)]
    c.check("no decode, framing or protocol errors counted on either side", not bad, bad)
    c.check("server stops cleanly", rc == 0 and rc2 == 0 and took < 2.5, (rc, rc2, took))
finally:
    for d in (a, b, b2):
        if d:
            d.cleanup()
c.finish()

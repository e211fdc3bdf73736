"""RFC 3578 overlap, SIP -> ISUP, between SIPp and isup-peer through isupgw:
the SIP trunk is configured for overlap, so the first INVITE (4930) becomes
an IAM without ST; a second INVITE of the same call (same Call-ID and From
tag) with three more digits (4930123) becomes a SAM with "123", and the first
INVITE is answered 484. The call then completes on the second INVITE (ACM,
ANM, BYE -> REL 16) and a circuit query shows both CICs idle."""
from calltest import IsupPeer, m3ua_port, scenario, sip_port, uac
from harness import Checks, Daemon, isup_peer_ss7

GW = """
logging: {level: info, subsystems: {isup: debug}}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: 0}]
  trunks: [{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"], overlap: true}]
""" + isup_peer_ss7("1-2") + """routes: [{prefix: "", from: local, targets: [{trunk_group: tg-peer}]}]
"""
SCENARIO = """
expect GRS cic=1 range=1
send   GRA cic=1 range=1 status=00
expect IAM cic=1 called=4930 timeout=20s
expect SAM cic=1 digits=123
send   ACM cic=1
send   ANM cic=1
expect REL cic=1 cause=16
send   RLC cic=1
wait   300ms
send   CQM cic=1 range=1
expect CQR cic=1 range=1 circuit_state_indicator=0c0c
"""

c = Checks()
d = Daemon(GW)
peer = None
try:
    sport = sip_port(d)
    peer = IsupPeer(SCENARIO, m3ua_port(d, "peer"), timeout=40)
    c.check("circuits reset", d.wait_for(r"rx group=tg-peer cic=1 msg=GRA", timeout=15) is not None, d.lines[-10:])
    rc, err = uac(scenario("uac_overlap.xml"), sport, service="4930")
    c.check("SIPp: first INVITE answered 484, the call completes on the second", rc == 0,
            err[-800:] + "\n".join(d.lines[-20:]))
    c.check("isup-peer: IAM without ST, then SAM 123, call and release, CQR idle", peer.join(60),
            peer.output() + "\n".join(d.lines[-20:]))
    ov = [l for l in d.lines if " overlap " in l or "event=overlap" in l or "call overlap" in l]
    c.check("the gateway logged the added digits", any("added=123" in l and "called=4930123" in l for l in ov), ov)
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    d.cleanup()
    if peer:
        peer.cleanup()
c.finish()

"""Q.764 procedures between isupgw and isup-peer over M3UA/TCP, with real SIPp
on the SIP side driving the gateway's outgoing calls (issue 6):

  basic SIP -> ISUP call on CIC 3: IAM, ACM, ANM, SIPp's BYE -> REL 16, RLC;
  release collision (Q.764 2.3.1): the peer answers our REL with its own REL;
      the gateway answers it with RLC and the circuit is idle;
  dual seizure on CIC 2 (Q.764 2.10.1.4): with CIC 3 blocked, the gateway
      seizes CIC 2 while the peer seizes it too. The peer (point code 200 >
      100) controls even circuits, so the gateway backs off: its own call finds
      no other circuit (SIPp gets 503, cause 34) and it serves the peer's IAM.
  A circuit query at the end shows both CICs idle and unblocked."""
from calltest import IsupPeer, m3ua_port, scenario, sip_port, uac
from harness import Checks, Daemon, isup_peer_ss7

GW = """
logging: {level: info, subsystems: {isup: debug, call: debug}}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: 0}]
  trunks: [{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}]
""" + isup_peer_ss7("2-3") + """routes: [{prefix: "", from: local, targets: [{trunk_group: tg-peer}]}]
"""

SCENARIO = """
expect GRS cic=2 range=1
send   GRA cic=2 range=1 status=00
# Basic SIP -> ISUP call: the gateway prefers the circuit it controls (odd: 3).
expect IAM cic=3 timeout=20s
send   ACM cic=3
wait   200ms
send   ANM cic=3
expect REL cic=3 cause=16
send   RLC cic=3
# Release collision: our REL crosses the gateway's.
expect IAM cic=3 timeout=20s
send   ACM cic=3
send   ANM cic=3
expect REL cic=3 cause=16
send   REL cic=3 cause=16
expect RLC cic=3
send   RLC cic=3
# Dual seizure on CIC 2: block CIC 3 so the gateway has to take CIC 2.
send   BLO cic=3
expect BLA cic=3
expect IAM cic=2 timeout=20s
send   IAM cic=2 called=5551234F calling=30999
expect REL cic=2
send   RLC cic=2
send   UBL cic=3
expect UBA cic=3
wait   300ms
send   CQM cic=2 range=1
expect CQR cic=2 range=1 circuit_state_indicator=0c0c
"""

c = Checks()
d = Daemon(GW)
peer = None
try:
    sport = sip_port(d)
    peer = IsupPeer(SCENARIO, m3ua_port(d, "peer"), timeout=60)
    c.check("circuits reset (GRA received)", d.wait_for(r"GRA", timeout=15) is not None, d.lines[-20:])

    rc, err = uac("sn:uac", sport, extra=["-d", "500"])
    c.check("basic SIP -> ISUP call to isup-peer (SIPp uac)", rc == 0, err[-600:] + "\n".join(d.lines[-15:]))

    rc, err = uac("sn:uac", sport, extra=["-d", "500"])
    c.check("release collision: SIPp's call completes", rc == 0, err[-600:] + "\n".join(d.lines[-15:]))

    c.check("CIC 3 blocked by the peer", d.wait_for(r"rx group=tg-peer cic=3 msg=BLO", timeout=15) is not None,
            d.lines[-15:])
    rc, err = uac(scenario("uac_expect.xml", 503), sport)
    c.check("dual seizure: the gateway's own call finds no other circuit -> 503", rc == 0,
            err[-600:] + "\n".join(d.lines[-25:]))

    c.check("isup-peer scenario passes (collision answered with RLC, dual seizure backed off, CQR idle)",
            peer.join(90), peer.output() + "\n".join(d.lines[-30:]))
    dual = [l for l in d.lines if "dual" in l.lower() and "cic=2" in l]
    print("\n".join(dual))
    c.check("the gateway logged the dual seizure on CIC 2", bool(dual), [l for l in d.lines if "cic=2" in l][-10:])
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    lines = [l for l in d.lines if " isup circuits " in l]
    c.check("every circuit idle at stop", bool(lines) and all(" busy=0" in l for l in lines), lines)
finally:
    d.cleanup()
    if peer:
        peer.cleanup()
c.finish()

"""Calls with media through a media gateway (issue 8): SIPp -> isupgw -> ISUP
over M3UA/TCP -> the gateway's simulated exchange, with the trunk group's
circuits on E1 endpoints of our MG simulator (mg-sim, MGCP over UDP).

  - each call creates one connection on its circuit's endpoint (CRCX with
    SIPp's SDP), our 200 OK carries the MG's media address and port, and the
    connection is deleted at release (mg-sim's own count back to 0);
  - an MG restart (RSIP restart from mg-sim) in the middle of a call releases
    it: REL with cause 41 towards ISUP, BYE with Reason Q.850 cause 41 towards
    SIP; every circuit idle, nothing left on the MG;
  - the MG dying mid-call (its keepalive audit lost) releases the call with
    cause 38."""
import re
import threading

from calltest import free_port, scenario, sip_port, uac, wait_circuits_reset
from harness import Checks, Daemon, wait_until
from mgsim import MgSim



c = Checks()
sim = MgSim("mg1", "--spans", "2", "--media-address", "127.0.0.1")
SIM_PORT = free_port()
GW = f"""
logging: {{level: info, subsystems: {{call: debug, mgcp: debug, isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
media_gateways:
  - {{name: mg1, address: {{address: 127.0.0.1, port: {sim.port or 9}}}, local: {{address: 127.0.0.1}},
     keepalive_ms: 300, initial_rto_ms: 100, max_rto_ms: 200, max_retransmissions: 3}}
ss7:
  m3ua_links: [{{name: to-exchange, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {SIM_PORT}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: default, links: [to-exchange]}}]
  trunk_groups: [{{name: exchange, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"], media_gateway: mg1,
                  endpoints: "ds/e1-{{span}}/{{timeslot}}@mg1"}}]
  simulated_exchanges: [{{name: sim, listen: {{address: 127.0.0.1, port: {SIM_PORT}}}, opc: 0-0-2, dpc: 0-0-1,
                         cics: ["1-31"], ring_ms: 300}}]
routes: [{{prefix: "", from: local, targets: [{{trunk_group: exchange}}]}}]
"""
d = Daemon(GW)
try:
    c.check("mg-sim ready", sim.port is not None)
    port = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])

    # A call with media: sample mg-sim's connections while it runs.
    samples = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            samples.append(sim.connections())
            done.wait(0.05)  # sampling period while the call runs

    t = threading.Thread(target=sample)
    t.start()
    rc, err = uac("sn:uac", port, extra=["-d", "1000"])
    done.set()
    t.join()
    c.check("basic call with media (SIPp uac)", rc == 0, err[-500:] + "\n".join(d.lines[-15:]))
    c.check("one connection on the MG during the call", max(samples or [0]) == 1, samples)
    c.check("connection deleted after the call", wait_until(lambda: sim.connections() == 0, 5) is not None)
    ready = [l for l in d.lines if "media_ready" in l]
    c.check("our SDP names the MG's media port", bool(ready) and re.search(r"port=1[0-9]{4}", ready[-1]) is not None,
            ready)

    # MG restart in the middle of a call: the gateway clears it with cause 41.
    start = len(d.lines)
    result = {}

    def call():
        result["r"] = uac(scenario("uac_wait_bye.xml"), port)

    t = threading.Thread(target=call)
    t.start()
    c.check("second call answered", d.wait_for(r"event=answer to=active", timeout=10, start=start) is not None,
            d.lines[-10:])
    c.check("second call's connection on the MG", wait_until(lambda: sim.connections() == 1, 5) is not None)
    c.check("mg-sim sends RSIP restart", (sim.control("rsip restart") or "").startswith("ok rsip"))
    t.join(30)
    rc, err = result.get("r", (None, "no result"))
    c.check("SIPp gets the gateway's BYE after the MG restart", rc == 0, err[-500:] + "\n".join(d.lines[-15:]))
    d.wait_for(r"media_lost", timeout=10, start=start)  # the log line may follow the BYE SIPp already has
    lost = [l for l in d.lines[start:] if "media_lost" in l]
    c.check("call released with cause 41 (temporary failure)", bool(lost) and "cause=41" in lost[0], lost)
    c.check("REL cause 41 towards ISUP", any("release" in l and "cause=41" in l for l in d.lines[start:]),
            d.lines[start:][-20:])
    c.check("nothing left on the MG", wait_until(lambda: sim.connections() == 0, 5) is not None)

    # The MG dies in the middle of a call: the keepalive audit is lost (3
    # retransmissions) and the call is released with cause 38.
    start = len(d.lines)
    t = threading.Thread(target=call)
    t.start()
    c.check("third call answered", d.wait_for(r"event=answer to=active", timeout=10, start=start) is not None,
            d.lines[-10:])
    c.check("third call's connection on the MG", wait_until(lambda: sim.connections() == 1, 5) is not None)
    sim.proc.kill()
    sim.proc.wait()
    t.join(30)
    rc, err = result.get("r", (None, "no result"))
    c.check("SIPp gets the gateway's BYE after the MG died", rc == 0, err[-500:] + "\n".join(d.lines[-15:]))
    d.wait_for(r"media_lost", timeout=10, start=start)
    lost = [l for l in d.lines[start:] if "media_lost" in l]
    c.check("call released with cause 38 (network out of order)", bool(lost) and "cause=38" in lost[0], lost)
    c.check("MG marked down", any("mg1" in l and "DOWN" in l.upper() for l in d.lines[start:]), d.lines[start:][-20:])
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    lines = [l for l in d.lines if " isup circuits " in l]
    c.check("every circuit idle at stop", bool(lines) and all(" busy=0" in l for l in lines), lines)
finally:
    d.cleanup()
    sim.stop()
c.finish()

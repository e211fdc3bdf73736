"""Calls through the gateway with a real osmo-mgw as the media gateway of the
trunk group (RTP endpoints "rtpbridge/*@mgw"): SIPp places 1,000 calls at 50
calls/s through isupgw to the gateway's simulated exchange; every call creates
its connection on osmo-mgw (the SDP SIPp gets names osmo-mgw's RTP port) and
deletes it at release. Afterwards osmo-mgw's own VTY shows no connection and as
many successful DLCX as CRCX, and every circuit is idle."""
import re
import shutil

import osmomgw
from calltest import free_port, sip_port, uac, wait_circuits_reset
from harness import Checks, Daemon

CALLS = 1000
RATE = 50
ENDPOINTS = 64

c = Checks()
c.check("osmo-mgw installed", shutil.which("osmo-mgw") is not None)
if not shutil.which("osmo-mgw"):
    c.finish()
mgw, addr, mport, work, log_path = osmomgw.start(ENDPOINTS)
d = None
try:
    c.check("osmo-mgw up", osmomgw.mgcp_answers(addr, mport), open(log_path).read()[-2000:])
    SIM_PORT = free_port()
    d = Daemon(f"""
logging: {{level: notice, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
media_gateways:
  - {{name: mgw, address: {{address: {addr}, port: {mport}}}, local: {{address: {addr}}}, keepalive_ms: 2000}}
ss7:
  m3ua_links: [{{name: to-exchange, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {SIM_PORT}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: default, links: [to-exchange]}}]
  trunk_groups: [{{name: exchange, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31", "33-63"], media_gateway: mgw,
                  endpoints: "rtpbridge/*@mgw"}}]
  simulated_exchanges: [{{name: sim, listen: {{address: 127.0.0.1, port: {SIM_PORT}}}, opc: 0-0-2, dpc: 0-0-1,
                         cics: ["1-31", "33-63"], ring_ms: 100}}]
routes: [{{prefix: "", from: local, targets: [{{trunk_group: exchange}}]}}]
""")
    port = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    rc, err = uac("sn:uac", port, calls=CALLS, extra=["-r", str(RATE), "-d", "200", "-l", "40"])
    c.check(f"{CALLS} calls at {RATE}/s through osmo-mgw, none failed", rc == 0, err[-800:] + "\n".join(d.lines[-10:]))
    show = osmomgw.vty(addr, "show mgcp")
    c.check("osmo-mgw VTY: no connection left", "CONN:" not in show, show[-1500:])
    stats = osmomgw.vty(addr, "show mgcp stats")
    crcx = re.search(r"crcx:success:\s+(\d+)", stats)
    dlcx = re.search(r"dlcx:success:\s+(\d+)", stats)
    c.check(f"osmo-mgw: {CALLS} CRCX and as many DLCX succeeded",
            crcx and dlcx and int(crcx.group(1)) == CALLS and int(dlcx.group(1)) == CALLS,
            (crcx and crcx.group(0), dlcx and dlcx.group(0)))
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    lines = [l for l in d.lines if " isup circuits " in l or "counter name=call." in l]
    c.check("every circuit idle at stop", any(" isup circuits " in l for l in lines) and
            all(" busy=0" in l for l in lines if " isup circuits " in l), lines)
finally:
    if d:
        d.cleanup()
    osmomgw.stop(mgw)
    shutil.rmtree(work, ignore_errors=True)
c.finish()

"""Calls through an H.248 media gateway (issue 22): SIPp -> isupgw -> ISUP over
M3UA/TCP -> the gateway's simulated exchange, the trunk group's circuits on
TDM terminations "tdm/e1-{span}/{timeslot}" of Erlang/OTP's megaco as the MG
(tests/integration/h248_mg, text encoding over UDP; the verdicts are SIPp's
counts and the MG's own table of contexts):

  - the MG registers (ServiceChange Restart on ROOT, accepted by our reply);
  - 50 calls, each one context (Add TDM + Add $ -> rtp/N with the MG's SDP),
    Subtract both at release: SIPp counts 50 successful calls, and afterwards
    the MG holds no context and no termination;
  - the MG restarts mid-call (ServiceChange Restart, 901 Cold Boot): the call
    is released with cause 41 -- SIPp gets a BYE with Reason: Q.850;cause=41
    (RFC 3326), else it counts the call failed;
  - the MG's reply to a call's Add comes after we gave the Add up (a UDP hop
    between us and the MG, h248mg.Relay, holds it back 7 s): the call fails,
    the MG has made the context all the same (its own table: 1 context, 2
    terminations), and once the late reply arrives we subtract both again
    (H.248.1 7.2.3) -- the MG's table is empty afterwards. The delay is in the
    network, not in the MG: megaco answers a retransmitted request it is still
    evaluating with TransactionPending, and we would wait the long timer;
  - the MG goes silent mid-call: the AuditValue keepalive on ROOT goes
    unanswered through every retransmission and the call is released with
    cause 38 -- SIPp's BYE carries Reason: Q.850;cause=38.
Timers: keepalive every 1 s, retransmissions 0.5 s doubling to 2 s, 3 of them
(5.5 s before a transaction is given up): a loaded machine's slow Erlang does
not lose the MG by accident, and the lost-MG case is over in ~7 s. Every wait
is on an event (SIPp's exit, an MG line, a log line)."""
import os
import tempfile
import threading

from calltest import SCEN, free_port, sip_port, uac, wait_circuits_reset
from h248mg import H248Mg, Relay
from harness import Checks, Daemon, wait_until

c = Checks()
GW_IP, MG_IP = "127.0.0.85", "127.0.0.86"
GW_H248, MG_PORT, SIM_PORT = free_port(), free_port(), free_port()
# Every H.248 datagram passes the relay: the gateway knows it as the MG, the MG as the MGC.
relay = Relay(MG_IP, (GW_IP, GW_H248), (MG_IP, MG_PORT))
GW = f"""
logging: {{level: info, subsystems: {{call: debug, mgcp: debug, isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
media_gateways:
  - {{name: mg1, protocol: h248, address: {{address: {MG_IP}, port: {relay.gw_side_port}}},
     local: {{address: {GW_IP}, port: {GW_H248}}},
     keepalive_ms: 1000, initial_rto_ms: 500, max_rto_ms: 2000, max_retransmissions: 3}}
ss7:
  m3ua_links: [{{name: to-exchange, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {SIM_PORT}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: default, links: [to-exchange]}}]
  trunk_groups: [{{name: exchange, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"], media_gateway: mg1,
                  endpoints: "tdm/e1-{{span}}/{{timeslot}}"}}]
  simulated_exchanges: [{{name: sim, listen: {{address: 127.0.0.1, port: {SIM_PORT}}}, opc: 0-0-2, dpc: 0-0-1,
                         cics: ["1-31"], ring_ms: 100}}]
routes: [{{prefix: "", from: local, targets: [{{trunk_group: exchange}}]}}]
"""
temps = []


def bye_with_cause(cause):
    """uac_wait_bye_cause.xml requiring Reason: Q.850;cause=CAUSE on the BYE."""
    with open(os.path.join(SCEN, "uac_wait_bye_cause.xml")) as f:
        text = f.read().replace("@CAUSE@", str(cause))
    fd, path = tempfile.mkstemp(prefix=f"sipp-bye-cause{cause}-", suffix=".xml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    temps.append(path)
    return path


d = Daemon(GW)
mg = None
try:
    port = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    # The MG's side says when it is in service: its ServiceChange Restart on ROOT was answered by us (its own
    # output; megaco retransmits it until our socket, on the port we configured, answers).
    mg = H248Mg(MG_IP, MG_PORT, MG_IP, relay.mg_side_port)
    # erl's start-up is slow on a loaded machine: wait for the event, generously.
    c.check("the MG registers (ServiceChange Restart on ROOT answered)", mg.expect("registered", 90) is not None)

    # The short version of scripts/bench-tandem --mg h248 (1,000 calls, README Performance).
    rc, err = uac("sn:uac", port, calls=50, extra=["-r", "25", "-d", "200", "-l", "20"])
    c.check("50 calls through the H.248 MG complete (SIPp)", rc == 0, err[-800:] + "\n".join(d.lines[-15:]))
    left = wait_until(lambda: (lambda v: v if v == (0, 0) else None)(mg.contexts()), 10)
    c.check("afterwards the MG holds no context and no termination (its own view)", left == (0, 0), mg.contexts())
    adds = [l for l in d.lines if "media_ready" in l]
    c.check("our SDP names the MG's RTP port", any("port=400" in l for l in adds), adds[-3:])

    # The reply to an Add comes after we gave the Add up (0.5 + 1 + 2 + 2 s): the MG made the context, we
    # subtract it when the reply names it.
    relay.hold_next_add(7)
    rc, err = uac("sn:uac", port)
    c.check("the call whose Add went unanswered fails (SIPp counts it failed)", rc != 0, err[-300:])
    c.check("its Add's reply was held back", relay.held > 0, relay.held)
    c.check("the MG made its context all the same (its own table: 1 context, 2 terminations)",
            mg.contexts() == (1, 2), mg.contexts())
    c.check("the late reply is delivered", relay.released.wait(15))
    left = wait_until(lambda: (lambda v: v if v == (0, 0) else None)(mg.contexts()), 10)
    c.check("after the late reply we subtract: the MG holds no context and no termination (its own view)",
            left == (0, 0), mg.contexts())
    c.check("our log names the late reply's subtraction (a weak check: our own word)",
            any("h248.late_reply_subtract" in l and "failed" not in l for l in d.lines),
            [l for l in d.lines if "late" in l][-3:])

    result = {}

    def call(scen):
        result["r"] = uac(scen, port)

    # The MG restarts mid-call: ServiceChange Restart (901) -> cause 41 on SIPp's BYE.
    start = len(d.lines)
    t = threading.Thread(target=call, args=(bye_with_cause(41), ))
    t.start()
    c.check("call answered", d.wait_for(r"event=answer to=active", timeout=20, start=start) is not None, d.lines[-10:])
    c.check("its context on the MG", wait_until(lambda: (mg.contexts() or (0, 0))[0] == 1, 15) is not None)
    c.check("the MG restarts", mg.command("restart", "ok restart") is not None)
    t.join(60)
    rc, err = result.pop("r", (None, "no result"))
    c.check("SIPp gets the gateway's BYE with Reason: Q.850;cause=41 after the MG restart", rc == 0,
            err[-500:] + "\n".join(l for l in d.lines[start:] if "media_lost" in l or "error" in l))
    c.check("the MG registers again", mg.expect("registered", 30) is not None)

    # The MG goes silent mid-call: the AuditValue keepalive is lost -> cause 38 on SIPp's BYE.
    start = len(d.lines)
    t = threading.Thread(target=call, args=(bye_with_cause(38), ))
    t.start()
    c.check("call answered", d.wait_for(r"event=answer to=active", timeout=20, start=start) is not None, d.lines[-10:])
    c.check("the MG goes silent", mg.command("silent", "ok silent") is not None)
    t.join(60)
    rc, err = result.pop("r", (None, "no result"))
    c.check("SIPp gets the gateway's BYE with Reason: Q.850;cause=38 after the MG went silent", rc == 0,
            err[-500:] + "\n".join(l for l in d.lines[start:] if "media_lost" in l or "error" in l))
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    lines = [l for l in d.lines if " isup circuits " in l]
    c.check("every circuit idle at stop", bool(lines) and all(" busy=0" in l for l in lines), lines)
finally:
    d.cleanup()
    if mg:
        mg.stop()
    relay.stop()
    for p in temps:
        os.unlink(p)
c.finish()

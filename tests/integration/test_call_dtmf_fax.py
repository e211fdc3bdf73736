"""DTMF and fax through the gateway and its MG (issue 20): SIPp -> isupgw ->
ISUP over M3UA/TCP -> the simulated exchange, the circuit's E1 endpoint on
mg-sim (MGCP). One daemon, three calls.

  - RFC 4733 telephone-event: SIPp offers it on payload type 96; mg-sim's SDP
    lists telephone-event, so the gateway's 200 answers it with 96 (RFC 4733
    7.1.1, RFC 3264 6.1; SIPp's own check of the body); the CRCX hands the MG
    SIPp's description with it, and the MDCX of a re-INVITE adds L:
    a:PCMA;telephone-event (RFC 3435 2.3.3) -- tshark decodes the SDPs and the
    MGCP;
  - SIP INFO application/dtmf-relay "Signal=5" and application/dtmf "#": 200,
    and the MG is told to play D/5 and D/# (RFC 3660 DTMF package): mg-sim's
    own record of the RQNT signals, and tshark's decode of S:; an INFO with
    another body: 415 whose Accept lists the DTMF types (SIPp checks);
  - T.38: a re-INVITE offering only m=image udptl t38 (T.38 Annex D) ->
    MDCX with L: fxr/fx:t38 (RFC 5347 2.1) and SIPp's T.38 SDP; mg-sim answers
    with its m=image -> 200 with m=image udptl t38 (SIPp checks the body;
    tshark decodes the fxr option, the SDPs);
  - mg-sim told to refuse T.38 (532): 488 to the re-INVITE (SIPp), and the
    connection set to G.711 pass-through: MDCX L: a:PCMA, e:off, s:off,
    fxr/fx:off (tshark decodes e, s, fxr; mg-sim's own record of the L:).
Test address 127.0.0.100."""
import os
import re
import threading
import subprocess
import tempfile

from calltest import free_port, scenario, wait_circuits_reset
from harness import Capture, Checks, Daemon, wait_until
from mgsim import MgSim

ADDR = "127.0.0.100"


def gateway(sim, sim_port):
    return f"""
logging: {{level: info, subsystems: {{call: debug, mgcp: debug, isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: {ADDR}, port: 0}}]
  trunks: [{{name: local, address: {ADDR}, allowed_sources: ["127.0.0.0/8"]}}]
media_gateways:
  - {{name: mg1, address: {{address: {ADDR}, port: {sim.port or 9}}}, local: {{address: {ADDR}}},
     keepalive_ms: 1000, initial_rto_ms: 100, max_rto_ms: 200, max_retransmissions: 3}}
ss7:
  m3ua_links: [{{name: to-exchange, role: ipsp_client, transport: tcp, remote: {{address: {ADDR}, port: {sim_port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: default, links: [to-exchange]}}]
  trunk_groups: [{{name: exchange, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"], media_gateway: mg1,
                  endpoints: "ds/e1-{{span}}/{{timeslot}}@mg1"}}]
  simulated_exchanges: [{{name: sim, listen: {{address: {ADDR}, port: {sim_port}}}, opc: 0-0-2, dpc: 0-0-1,
                         cics: ["1-31"], ring_ms: 100}}]
routes: [{{prefix: "", from: local, targets: [{{trunk_group: exchange}}]}}]
"""


def sipp_uac(scen, port):
    """SIPp on the test address against the gateway's SIP port: (exit code, stderr)."""
    r = subprocess.run(["/usr/bin/sipp", "-sf", scen, "-i", ADDR, "-p", str(free_port()), "-nostdin", "-timeout", "25",
                        "-timeout_error", "-max_recv_loops", "1000", "-s", "4930123456", "-m", "1", f"{ADDR}:{port}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60,
                       cwd=tempfile.gettempdir())
    return r.returncode, r.stderr


def tshark(path, sim_port, fields, display):
    r = subprocess.run(["tshark", "-n", "-r", path, "-d", f"udp.port=={sim_port},mgcp", "-d", f"udp.port=={SIP_PORT[0]},sip",
                        "-Y", display, "-T", "fields",
                        "-E", "separator=|", "-E", "aggregator=,", "-E", "occurrence=a"] +
                       [a for f in fields for a in ("-e", f)], capture_output=True, text=True, timeout=60)
    return [line.split("|") for line in r.stdout.splitlines()]


SIP_PORT = [9]
c = Checks()
sim = MgSim("mg1", "--spans", "2", "--media-address", ADDR, "--bind", ADDR)
d = None
cap = None
pcap = os.path.join(tempfile.mkdtemp(prefix="dtmf-"), "dtmf.pcap")
try:
    c.check("mg-sim ready", sim.port is not None, sim.first_line)
    d = Daemon(gateway(sim, free_port()))
    line = d.wait_for(rf"sip listening transport=udp address={ADDR} port=(\d+)")
    port = int(re.search(r"port=(\d+)", line).group(1)) if line else 9
    SIP_PORT[0] = port
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    cap = Capture(pcap, f"udp and host {ADDR}", (ADDR, free_port()))  # the marker to a port nobody reads
    c.check("dumpcap captures the test address", cap.started)

    start = len(d.lines)
    rc, err = sipp_uac(scenario("uac_dtmf.xml"), port)
    c.check("SIPp: 200 answers telephone-event with the offer's payload type 96, INFO 200/200/415, re-INVITE",
            rc == 0, err[-800:] + "\n".join(d.lines[-15:]))
    sig = sim.control("signals") or ""
    c.check("mg-sim was told to play D/5 then D/# on the call's E1 endpoint (RQNT S:)",
            " ds/e1-0/" in sig and [s.split("=")[-1] for s in sig.split()[3:]] == ["D/5", "D/#"],
            sig)
    c.check("connection deleted after the call", wait_until(lambda: sim.connections() == 0, 5) is not None)
    c.check("the gateway logged two digits played", sum("dtmf_info" in l for l in d.lines[start:]) == 2,
            d.lines[start:])

    # T.38 accepted by the MG.
    rc, err = sipp_uac(scenario("uac_t38.xml"), port)
    c.check("SIPp: the T.38 re-INVITE is answered 200 with m=image udptl t38", rc == 0,
            err[-800:] + "\n".join(d.lines[-15:]))
    c.check("connection deleted after the T.38 call", wait_until(lambda: sim.connections() == 0, 5) is not None)
    # T.38 refused by the MG: 488 and G.711 pass-through.
    c.check("mg-sim told to refuse T.38", sim.control("t38 off") == "ok t38 off")
    start = len(d.lines)
    conns = []

    def watch():  # mg-sim's own view of the connection's L: while the call runs
        s = sim.control("conns") or ""
        if "fxr/fx:off" in s:
            conns.append(s)
        return bool(conns)

    result = {}
    t = threading.Thread(target=lambda: result.update(r=sipp_uac(scenario("uac_t38_refused.xml"), port)))
    t.start()
    wait_until(watch, 10)
    t.join(60)
    rc, err = result.get("r", (None, "no result"))
    c.check("SIPp: the T.38 re-INVITE is answered 488", rc == 0, str(err)[-800:] + "\n".join(d.lines[-15:]))
    c.check("mg-sim: the connection got L: a:PCMA,e:off,s:off,fxr/fx:off", bool(conns) and
            "|t38=0|L=a:PCMA,e:off,s:off,fxr/fx:off" in conns[0], conns)
    c.check("the gateway logged the refusal", any("t38_refused" in l for l in d.lines[start:]), d.lines[start:])

    ok = cap.stop()
    cap = None
    c.check("capture complete", ok, pcap)
    sim_port = sim.port
    crcx = tshark(pcap, sim_port, ["sdp.media", "sdp.media_attr"], 'mgcp.req.verb == "CRCX"')
    c.check("tshark: the DTMF call's CRCX carries SIPp's SDP with telephone-event/8000 on 96",
            len(crcx) == 3 and "8 96" in crcx[0][0] and "rtpmap:96 telephone-event/8000" in crcx[0][1], crcx)
    mdcx = tshark(pcap, sim_port, ["mgcp.param.localconnectionoptions.a", "sdp.media_attr"],
                  'mgcp.req.verb == "MDCX" && sdp.media_attr contains "telephone-event"')
    c.check("tshark: the hold re-INVITE's MDCX has L: a:PCMA;telephone-event and the SDP with it",
            len(mdcx) == 1 and mdcx[0][0] == "PCMA;telephone-event", mdcx)
    rqnt = tshark(pcap, sim_port, ["mgcp.param.signalreq", "mgcp.param.requestid"], 'mgcp.req.verb == "RQNT"')
    c.check("tshark: two RQNT, S: D/5 and D/#, each with X:",
            [r[0] for r in rqnt] == ["D/5", "D/#"] and all(r[1] for r in rqnt), rqnt)
    ok200 = tshark(pcap, sim_port, ["sdp.media", "sdp.media_attr"],
                   f'sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ip.src == {ADDR} && udp.srcport == {port} '
                   '&& sdp.media_attr contains "telephone-event"')
    c.check("tshark: both 200s to the DTMF call's INVITEs answer m=audio 8 96 with rtpmap 96 telephone-event/8000 "
            "and fmtp 0-15", len(ok200) == 2 and all(" 8 96" in r[0] and "rtpmap:96 telephone-event/8000" in r[1] and "fmtp:96 0-15" in
                                    r[1] for r in ok200), ok200)
    fxr = tshark(pcap, sim_port, ["mgcp.param.localconnectionoptions.fxr", "sdp.media", "mgcp.req.endpoint"],
                 "mgcp.param.localconnectionoptions.fxr")
    c.check("tshark: two MDCX with fxr/fx: t38 carrying SIPp's m=image udptl t38, then one with fxr/fx: off",
            [r[0] for r in fxr] == ["t38", "t38", "off"] and all("image" in r[1] and "udptl t38" in r[1] for r in fxr[:2]),
            fxr)
    off = tshark(pcap, sim_port, ["mgcp.param.localconnectionoptions.a", "mgcp.param.localconnectionoptions.e",
                                  "mgcp.param.localconnectionoptions.s"], 'mgcp.param.localconnectionoptions.fxr == "off"')
    c.check("tshark: the pass-through MDCX has a: PCMA, e: off, s: off", off == [["PCMA", "off", "off"]], off)
    rsp = tshark(pcap, sim_port, ["mgcp.rsp.rspcode", "sdp.media"], "mgcp.rsp")
    c.check("tshark: mg-sim answered the first T.38 MDCX 200 with m=image udptl t38, the second 532",
            any(r[0] == "200" and "image" in r[1] and "udptl t38" in r[1] for r in rsp) and
            any(r[0] == "532" for r in rsp), rsp)
    img = tshark(pcap, sim_port, ["sdp.media", "sdp.media_attr"],
                 f'sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ip.src == {ADDR} && udp.srcport == {port} '
                 '&& sdp.media.media == "image"')
    c.check("tshark: our 200 to the T.38 re-INVITE: m=image udptl t38 with the MG's T.38 attributes",
            len(img) == 1 and "udptl t38" in img[0][0] and "T38FaxVersion:0" in img[0][1], img)
    r488 = tshark(pcap, sim_port, ["sip.Warning"], "sip.Status-Code == 488")
    c.check("tshark: one 488 to the refused T.38 re-INVITE, with a Warning", len(r488) == 1 and "T.38" in r488[0][0],
            r488)
    r415 = tshark(pcap, sim_port, ["sip.Accept"], "sip.Status-Code == 415")
    c.check("tshark: the 415 lists application/dtmf-relay and application/dtmf in Accept",
            len(r415) == 1 and "application/dtmf-relay" in r415[0][0] and "application/dtmf" in r415[0][0], r415)
    bad = subprocess.run(["tshark", "-n", "-r", pcap, "-d", f"udp.port=={sim_port},mgcp", "-Y", "_ws.malformed"],
                         capture_output=True, text=True, timeout=60).stdout.strip()
    c.check("tshark: nothing malformed", not bad, bad)
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    lines = [l for l in d.lines if " isup circuits " in l]
    c.check("every circuit idle at stop", bool(lines) and all(" busy=0" in l for l in lines), lines)
finally:
    if cap:
        cap.stop()
    if d:
        d.cleanup()
    sim.stop()
c.finish()

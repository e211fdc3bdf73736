"""Issue 20: ISUP redirection <-> Diversion / History-Info in the running daemon, both directions
(Q.1912.5 CDIV interworking; the rows of tests/unit/mapping/data/redirection_tables.md), the header chosen
per trunk (`redirection_header: history_info | diversion`).

ISUP -> SIP: isup-peer sends an IAM with original called number 30111, redirecting number 30222 and
redirection information (call diverted, original reason user busy, counter 2, reason no reply, Q.763 3.45);
  to trunk hi: the INVITE carries History-Info 1 = +4930111, 1.1 = +4930222;cause=486 (busy),
      1.1.1 = the target;cause=408 (no reply) (RFC 7044, RFC 4458);
  to trunk div: Diversion +4930222;reason=no-answer;counter=1 on top of +4930111;reason=user-busy;counter=1
      (RFC 5806).
SIP -> ISUP: a SIPp UAC on trunk div sends Diversion <tel:+4930444>;reason=unconditional over
<tel:+4930333>;reason=user-busy; the IAM to isup-peer --exchange (which answers, then clears) carries the
redirecting number 30444, original called number 30333 and redirection information (diverted, reason 3,
original reason 1, counter 2).
Verdicts: SIPp's ereg check_it on the INVITE's headers and its exit codes; tshark's decode of the IAMs'
redirection parameters (M3UA over TCP re-wrapped, sipt_wire) and of the INVITEs' headers, nothing malformed."""
import os
import re
import subprocess
import tempfile
from xml.sax.saxutils import escape as xml_escape

import sipt_wire
from calltest import free_ports_at, scenario_copy, SIPP, m3ua_port, sip_port, wait_uas
from harness import Checks, Daemon, isup_peer_ss7, run, wait_port

c = Checks()
if not os.path.exists(SIPP):
    c.skip("sipp not installed")
if not sipt_wire.available():
    c.skip("tshark/text2pcap not installed")
ADDR = "127.0.0.99"
PEER = os.path.join(os.path.dirname(os.environ.get("ISUPGW_BIN", "build/bin/isupgw")), "isup-peer")


PH, PD, PU = free_ports_at(ADDR, 3)


def scen(name, **subst):
    return scenario_copy(name, prefix="sipp-redir-", **subst)


def sipp(path, port, extra=()):
    return [SIPP, "-sf", path, "-i", ADDR, "-p", str(port), "-m", "1", "-nostdin", "-timeout", "20",
            "-timeout_error", "-max_recv_loops", "1000"] + list(extra)


def uas(path, port):
    p = subprocess.Popen(sipp(path, port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         cwd=tempfile.gettempdir())
    wait_port(port, "udp")
    return p


GW = f"""
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks:
    - {{name: hi, address: {ADDR}, port: {PH}, allowed_sources: ["192.0.2.1"]}}
    - {{name: div, address: {ADDR}, port: {PD}, redirection_header: diversion, allowed_sources: ["{ADDR}"]}}
{isup_peer_ss7('1-31')}routes:
  - {{prefix: "6", from: tg-peer, targets: [{{sip_trunk: hi}}]}}
  - {{prefix: "7", from: tg-peer, targets: [{{sip_trunk: div}}]}}
  - {{prefix: "", from: div, targets: [{{trunk_group: tg-peer}}]}}
"""
PRELUDE = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
"""
CQM = """
wait   300ms
send   CQM cic=1 range=30
expect CQR cic=1 range=30 circuit_state_indicator=%s
""" % ("0c" * 31)
# Q.763 3.39 / 3.44: odd, NAI 3 national; NPI 1 E.164; BCD digits. 3.45: octet 1 = original reason 1 (busy)
# | redirecting indicator 3 (call diverted); octet 2 = reason 2 (no reply) | counter 2.
DIVERTED = """
send   IAM cic={cic} called={called}F calling=30999 original_called_number=8310031101 redirecting_number=8310032202 redirection_information=1322
expect ACM cic={cic}
expect ANM cic={cic}
expect REL cic={cic} cause=16 timeout=15s
send   RLC cic={cic}
"""
CASES = [
    ("ISUP->SIP History-Info", DIVERTED.format(cic=12, called="6001"), PH, "History-Info",
     r"History-Info: <sip:\+4930111@[^>]*>;index=1\r?\nHistory-Info: <sip:\+4930222@[^>]*;cause=486>;index=1\.1\r?\n"
     r"History-Info: <sip:\+[0-9]*6001@[^>]*;cause=408>;index=1\.1\.1"),
    ("ISUP->SIP Diversion", DIVERTED.format(cic=13, called="7001"), PD, "Diversion",
     r"Diversion: <sip:\+4930222@[^>]*>;reason=no-answer;counter=1\r?\n"
     r"Diversion: <sip:\+4930111@[^>]*>;reason=user-busy;counter=1"),
]
d = Daemon(GW)
cap = None
try:
    mport = m3ua_port(d, "peer")
    gw_sip = sip_port(d)
    cap = sipt_wire.Capture(udp_ports=[PH, PD, PU], tcp_ports=[mport])
    for name, body, port, header, regex in CASES:
        path = scen("uas_bye.xml")
        # uas_bye with the header check of uas_redirected: the callee hangs up, isup-peer gets REL 16.
        with open(path) as f:
            text = f.read()
        text = text.replace('<ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="contact"/>',
                            '<ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="contact"/>\n'
                            f'      <ereg regexp="{xml_escape(regex, {chr(34): "&quot;"})}" search_in="msg" check_it="true" '
                            'assign_to="redir"/>').replace("</recv>", "</recv>\n  <Reference variables=\"redir\"/>", 1)
        with open(path, "w") as f:
            f.write(text)
        p = uas(path, port)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(PRELUDE + body + CQM)
            script = f.name
        r = run([PEER, "--m3ua-connect", f"127.0.0.1:{mport}", "--opc", "200", "--dpc", "100", "--timeout", "25",
                 script])
        os.unlink(script)
        c.check(f"{name}: isup-peer passes (every CIC idle after)", r.returncode == 0 and "1 passed, 0 failed" in
                r.stdout, r.stdout[-800:] + "\n".join(d.lines[-10:]))
        rc = wait_uas(p)
        c.check(f"{name}: SIPp finds {header} as Q.1912.5 maps the IAM", rc == 0,
                (p.stderr.read() if p.stderr else "")[-800:])
        os.unlink(path)
    # SIP -> ISUP: the far exchange answers, then clears after 300 ms.
    n = len(d.lines)
    ex = subprocess.Popen([PEER, "--exchange", "--m3ua-connect", f"127.0.0.1:{mport}", "--opc", "200", "--dpc", "100",
                           "--call", "3:answer=100,release=300", "--duration", "30"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    try:
        # The gateway resets its circuits on the new association (Q.764 2.9.3.1): calls go once the GRA came.
        c.check("SIP->ISUP: the exchange answered the gateway's circuit reset",
                d.wait_for(r"isup rx group=tg-peer cic=\d+ msg=GRA", timeout=15, start=n) is not None, d.lines[-10:])
        path = scen("uac_redirected.xml", REDIRECTION="      Diversion: <tel:+4930444>;reason=unconditional;counter=1\n"
                    "      Diversion: <tel:+4930333>;reason=user-busy;counter=1")
        r = subprocess.run(sipp(path, PU, ["-s", "30555", f"127.0.0.1:{gw_sip}"]), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=40, cwd=tempfile.gettempdir())
        ok = r.returncode == 0
        c.check("SIP->ISUP: SIPp's diverted call is answered and cleared", ok, r.stderr[-800:])
        os.unlink(path)
    finally:
        ex.terminate()
        ex.wait(10)
    cap.stop()
    isup = sipt_wire.isup_messages(cap.path, mport)
    iams = [m for m in isup if sipt_wire.first(m, "isup.message_type") == "1"]
    out = [m for m in iams if m["direction"] == "from"]
    c.check("tshark: the gateway's IAM carries redirecting number 30444, original called number 30333, "
            "redirection information diverted / unconditional / user busy / counter 2",
            any("30444" in m["text"] and "30333" in m["text"] and re.search(r"Redirection reason: Unconditional", m["text"], re.I)
                and re.search(r"Original redirection reason: User busy", m["text"], re.I)
                and re.search(r"Redirection counter: 2", m["text"]) for m in out), [m["text"] for m in out])
    c.check("tshark: isup-peer's IAMs carry the redirection parameters it was given",
            sum("30222" in m["text"] and "30111" in m["text"] for m in iams if m["direction"] == "to") == 2,
            [m["text"] for m in iams if m["direction"] == "to"])
    c.check("tshark: no ISUP message malformed", not any(m["_ws.malformed"] for m in isup),
            [m["text"] for m in isup if m["_ws.malformed"]])
    rows = sipt_wire._fields(cap.path, ["sip.Method", "udp.dstport", "sip.History-Info", "sip.Diversion",
                                        "_ws.malformed"],
                             ["-d", f"udp.port=={PH},sip", "-d", f"udp.port=={PD},sip", "-d", f"udp.port=={PU},sip",
                              "-Y", "sip"])
    c.check("tshark: History-Info and Diversion decoded on the gateway's INVITEs",
            any(m["sip.Method"] == ["INVITE"] and m["udp.dstport"] == [str(PH)] and len(m["sip.History-Info"]) >= 1
                for m in rows) and
            any(m["sip.Method"] == ["INVITE"] and m["udp.dstport"] == [str(PD)] and m["sip.Diversion"] for m in rows),
            rows)
    c.check("tshark: no SIP message malformed", not any(m["_ws.malformed"] for m in rows),
            [m for m in rows if m["_ws.malformed"]])
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    if cap:
        cap.cleanup()
    d.cleanup()
c.finish()

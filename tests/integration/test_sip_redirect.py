"""Issue 20: a SIP 3xx from a trunk (RFC 3261 8.1.3.4, Q.1912.5), per trunk setting `redirect`.

isup-peer (the ISUP caller, M3UA/TCP) -> isupgw -> SIPp UASes on 127.0.0.99 (this task's test address):
  follow, History-Info: trunk r1's UAS answers 302 Contact: r2's address; the gateway sends a new INVITE
      there (trunk r2, History-Info profile); SIPp r2 requires History-Info with the original target index 1
      and the Contact with cause=302 index 1.1 (RFC 7044 9.4, RFC 4458) and answers; isup-peer sees ACM and
      ANM, no REL before its own (the ISUP side sees only the final outcome).
  follow, Diversion: the same from r2 to r1 (Diversion profile): reason=unconditional (RFC 5806, RFC 6044).
  limit: r1 302 -> r2 302 again; r2's max_redirects (1) is reached: REL cause 127 (the Q.1912.5 table's cause
      for a 3xx, interworking unspecified).
  isup: trunk r3 (redirect: isup) answers 302 Contact: a telephone number: REL cause 23 (redirection to new
      destination) with the redirection number and redirection information (Q.763 3.45, 3.46).
Verdicts: SIPp's exit codes (its ereg check_it on the redirected INVITE), isup-peer's expectations, tshark's
decode of the second INVITE's History-Info / Diversion and of the REL's cause and redirection parameters (none
malformed). The gateway's "redirect" log lines with their reason are read as a weak check of the counters'
events (our own log). Each isup-peer run ends with a circuit query: every CIC idle."""
import os
import re
import subprocess
import tempfile

import sipt_wire
from calltest import free_ports_at, scenario_copy, SIPP, m3ua_port, wait_uas
from harness import Checks, Daemon, isup_peer_ss7, run, wait_port

c = Checks()
if not os.path.exists(SIPP):
    c.skip("sipp not installed")
if not sipt_wire.available():
    c.skip("tshark/text2pcap not installed")
ADDR = "127.0.0.99"
PEER = os.path.join(os.path.dirname(os.environ.get("ISUPGW_BIN", "build/bin/isupgw")), "isup-peer")


PORTS = free_ports_at(ADDR, 3)
P1, P2, P3 = PORTS


def scen(name, **subst):
    return scenario_copy(name, prefix="sipp-redir-", **subst)


def uas(path, port):
    p = subprocess.Popen([SIPP, "-sf", path, "-i", ADDR, "-p", str(port), "-m", "1", "-nostdin", "-timeout", "20",
                          "-timeout_error", "-max_recv_loops", "1000"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, cwd=tempfile.gettempdir())
    wait_port(port, "udp")
    return p


GW = f"""
logging: {{level: info}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks:
    - {{name: r1, address: {ADDR}, port: {P1}, redirect: follow, max_redirects: 2, redirection_header: diversion}}
    - {{name: r2, address: {ADDR}, port: {P2}, redirect: follow, max_redirects: 1}}
    - {{name: r3, address: {ADDR}, port: {P3}, redirect: isup}}
{isup_peer_ss7('1-31')}routes:
  - {{prefix: "1", from: tg-peer, targets: [{{sip_trunk: r1}}]}}
  - {{prefix: "2", from: tg-peer, targets: [{{sip_trunk: r2}}]}}
  - {{prefix: "3", from: tg-peer, targets: [{{sip_trunk: r3}}]}}
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
ANSWERED = """
send   IAM cic={cic} called={called}F calling=30999
expect ACM cic={cic}
expect ANM cic={cic}
wait   200ms
send   REL cic={cic} cause=16
expect RLC cic={cic}
"""
RELEASED = """
send   IAM cic={cic} called={called}F calling=30999
expect REL cic={cic} cause={cause}
send   RLC cic={cic}
"""
CONTACT2 = f"sip:+4930222@{ADDR}:{P2};user=phone"
CONTACT1 = f"sip:+4930111@{ADDR}:{P1};user=phone"
CASES = [
    ("follow 302, History-Info", ANSWERED.format(cic=5, called="1001"), [
        (scen("uas_302.xml", CONTACT=CONTACT2), P1),
        (scen("uas_redirected.xml",
              REGEX=r"History-Info: <sip:\+491001@[^>]*>;index=1\r?\nHistory-Info: " +
              re.escape(f"<{CONTACT2};cause=302>;index=1.1")), P2)]),
    ("follow 302, Diversion", ANSWERED.format(cic=6, called="2001"), [
        (scen("uas_302.xml", CONTACT=CONTACT1), P2),
        (scen("uas_redirected.xml", REGEX=r"Diversion: <sip:\+492001@[^>]*>;reason=unconditional;counter=1"), P1)]),
    ("limit: the second 302 is over max_redirects", RELEASED.format(cic=7, called="1002", cause=127), [
        (scen("uas_302.xml", CONTACT=CONTACT2), P1),
        (scen("uas_302.xml", CONTACT=f"sip:+4930333@{ADDR}:{P3};user=phone"), P2)]),
    ("isup: REL cause 23 with the redirection number", RELEASED.format(cic=8, called="3001", cause=23), [
        (scen("uas_302.xml", CONTACT=f"sip:+4930999@{ADDR};user=phone"), P3)]),
]

d = Daemon(GW)
cap = None
try:
    mport = m3ua_port(d, "peer")
    cap = sipt_wire.Capture(udp_ports=PORTS, tcp_ports=[mport])
    for name, body, servers in CASES:
        procs = [uas(path, port) for path, port in servers]
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(PRELUDE + body + CQM)
            script = f.name
        r = run([PEER, "--m3ua-connect", f"127.0.0.1:{mport}", "--opc", "200", "--dpc", "100", "--timeout", "20",
                 script])
        os.unlink(script)
        c.check(f"{name}: isup-peer passes (ends with every CIC idle in CQR)",
                r.returncode == 0 and "1 passed, 0 failed" in r.stdout, r.stdout[-800:] + "\n".join(d.lines[-12:]))
        for i, p in enumerate(procs):
            rc = wait_uas(p)
            c.check(f"{name}: SIPp UAS {i + 1} passes", rc == 0, (p.stderr.read() if p.stderr else "")[-600:])
        for path, _ in servers:
            os.unlink(path)
    cap.stop()
    # tshark's view of the SIP side.
    hi = sipt_wire._fields(
        cap.path, ["sip.Method", "udp.dstport", "sip.History-Info", "sip.Diversion", "sip.r-uri", "_ws.malformed"],
        ["-d", f"udp.port=={P1},sip", "-d", f"udp.port=={P2},sip", "-d", f"udp.port=={P3},sip", "-Y", "sip"])
    invites = [m for m in hi if m["sip.Method"] == ["INVITE"]]
    to2 = [m for m in invites if m["udp.dstport"] == [str(P2)]]
    to1 = [m for m in invites if m["udp.dstport"] == [str(P1)]]
    c.check("tshark: the redirected INVITE to r2 has the Contact as Request-URI and History-Info 1 / 1.1;cause=302",
            any(m["sip.r-uri"] == [CONTACT2] and any("index=1.1" in h and "cause=302" in h for h in m["sip.History-Info"])
                for m in to2), to2)
    c.check("tshark: the redirected INVITE to r1 has Diversion reason=unconditional",
            any(m["sip.r-uri"] == [CONTACT1] and any("reason=unconditional" in h for h in m["sip.Diversion"])
                for m in to1), to1)
    c.check("tshark: no SIP message malformed", not any(m["_ws.malformed"] for m in hi), hi)
    # tshark's view of the ISUP side: the REL of the isup case.
    isup = sipt_wire.isup_messages(cap.path, mport)
    rels = [m for m in isup if m["direction"] == "from" and sipt_wire.first(m, "isup.message_type") == "12"]
    rel23 = [m for m in rels if sipt_wire.first(m, "isup.cause_indicator") == "23"]
    c.check("tshark: REL cause 23 carries redirection number 30999 and redirection information (diverted, "
            "unconditional, counter 1)",
            len(rel23) == 1 and re.search(r"Redirection number", rel23[0]["text"], re.I) is not None and "30999" in rel23[0]["text"]
            and re.search(r"Redirection reason: Unconditional", rel23[0]["text"], re.I) is not None
            and re.search(r"Redirection counter: 1", rel23[0]["text"]) is not None,
            [m["text"] for m in rel23] or [sipt_wire.first(m, "isup.cause_indicator") for m in rels])
    c.check("tshark: no ISUP message malformed", not any(m["_ws.malformed"] for m in isup),
            [m["text"] for m in isup if m["_ws.malformed"]])
    # Our own log (weak: the code under test's account): one line per decision with its reason.
    lines = [l for l in d.lines if " redirect " in l]
    c.check("log: 2 followed, 1 over the limit with its reason, 1 returned to ISUP",
            sum("outcome=followed" in l for l in lines) == 3 and
            sum("max_redirects reached" in l for l in lines) == 1 and
            sum("returned to isup" in l for l in lines) == 1, lines)
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    if cap:
        cap.cleanup()
    d.cleanup()
c.finish()

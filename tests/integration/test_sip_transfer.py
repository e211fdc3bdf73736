"""Issue 20: REFER blind transfer (RFC 3515, RFC 3892 Referred-By; RFC 4488 not offered), per trunk setting
`transfer: perform` (default refuse: 603).

isup-peer (the ISUP caller, M3UA/TCP) -> isupgw -> SIPp-A on 127.0.0.99 (trunk xfer, transfer: perform).
SIPp-A answers, then sends REFER Refer-To: SIPp-B (trunk target). The gateway answers 202, sends NOTIFY
100 Trying, INVITEs SIPp-B with SIPp-A's Referred-By, NOTIFYs its 180 and its 200 (Subscription-State
terminated), joins the circuit to SIPp-B and sends SIPp-A its BYE. SIPp-B later hangs up: only then does
isup-peer get a REL (cause 16) -- had the gateway released the ISUP side at the transfer, SIPp-B would have
got a BYE or CANCEL and failed, and isup-peer's REL would have come before SIPp-B's BYE.
Second case: the same REFER on trunk plain (transfer not set): 603, the call goes on and SIPp-A hangs up.
Verdicts: SIPp's exit codes (their ereg check_it on Event, the sipfrag bodies and Referred-By),
isup-peer's expectations (ends with every CIC idle in a CQR), tshark's decode of REFER, the NOTIFYs and their
message/sipfrag (nothing malformed)."""
import os
import re
import subprocess
import tempfile

import sipt_wire
from calltest import free_ports_at, scenario_copy, SCEN, SIPP, m3ua_port, wait_uas
from harness import Checks, Daemon, isup_peer_ss7, run, wait_port

c = Checks()
if not os.path.exists(SIPP):
    c.skip("sipp not installed")
if not sipt_wire.available():
    c.skip("tshark/text2pcap not installed")
ADDR = "127.0.0.99"
PEER = os.path.join(os.path.dirname(os.environ.get("ISUPGW_BIN", "build/bin/isupgw")), "isup-peer")


PA, PB, PC = free_ports_at(ADDR, 3)


def scen(name, **subst):
    return scenario_copy(name, prefix="sipp-xfer-", **subst)


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
    - {{name: xfer, address: {ADDR}, port: {PA}, transfer: perform}}
    - {{name: target, address: {ADDR}, port: {PB}}}
    - {{name: plain, address: {ADDR}, port: {PC}}}
{isup_peer_ss7('1-31')}routes:
  - {{prefix: "4", from: tg-peer, targets: [{{sip_trunk: xfer}}]}}
  - {{prefix: "5", from: tg-peer, targets: [{{sip_trunk: plain}}]}}
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
# The REL comes only when the far SIP end hangs up (SIPp-B after the transfer; SIPp-A after the 603).
CALL = """
send   IAM cic={cic} called={called}F calling=30999
expect ACM cic={cic}
expect ANM cic={cic}
expect REL cic={cic} cause=16 timeout=15s
send   RLC cic={cic}
"""
TARGET = f"sip:carol@{ADDR}:{PB}"
REFUSED = open(os.path.join(SCEN, "uas_refer.xml")).read()
d = Daemon(GW)
cap = None
try:
    mport = m3ua_port(d, "peer")
    cap = sipt_wire.Capture(udp_ports=[PA, PB, PC], tcp_ports=[mport])
    # 1. performed
    a = scen("uas_refer.xml", TARGET=TARGET)
    b = scen("uas_referred.xml", REGEX=re.escape(f"<sip:transferor@{ADDR}:{PA}>"))
    pa, pb = uas(a, PA), uas(b, PB)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(PRELUDE + CALL.format(cic=10, called="4001") + CQM)
        script = f.name
    r = run([PEER, "--m3ua-connect", f"127.0.0.1:{mport}", "--opc", "200", "--dpc", "100", "--timeout", "25", script])
    os.unlink(script)
    c.check("transfer: isup-peer sees ACM, ANM and a REL only when the target hangs up (every CIC idle after)",
            r.returncode == 0 and "1 passed, 0 failed" in r.stdout, r.stdout[-800:] + "\n".join(d.lines[-15:]))
    for who, p in (("SIPp-A (transferor: 202, NOTIFY 100/180/200 sipfrag, BYE)", pa),
                   ("SIPp-B (target: Referred-By, answers, hangs up)", pb)):
        rc = wait_uas(p)
        c.check(f"transfer: {who} passes", rc == 0, (p.stderr.read() if p.stderr else "")[-800:])
    for path in (a, b):
        os.unlink(path)
    # 2. refused: a uas_refer whose REFER must get 603, then it hangs up itself.
    refused = REFUSED
    refused = refused[:refused.index('  <recv response="202"/>')] + """  <recv response="603"/>
  <send retrans="500">
    <![CDATA[
      BYE [$contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$to];tag=[pid]SIPpTag01[call_number]
      To: [$from]
      [last_Call-ID:]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
"""
    fd, a = tempfile.mkstemp(prefix="sipp-xfer-", suffix=".xml")
    with os.fdopen(fd, "w") as f:
        f.write(refused.replace("@TARGET@", TARGET))
    pc = uas(a, PC)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(PRELUDE + CALL.format(cic=11, called="5001") + CQM)
        script = f.name
    r = run([PEER, "--m3ua-connect", f"127.0.0.1:{mport}", "--opc", "200", "--dpc", "100", "--timeout", "25", script])
    os.unlink(script)
    c.check("refused: isup-peer's call goes on until SIPp hangs up", r.returncode == 0 and "1 passed, 0 failed" in
            r.stdout, r.stdout[-800:])
    rc = wait_uas(pc)
    c.check("refused: SIPp gets 603 to its REFER", rc == 0, (pc.stderr.read() if pc.stderr else "")[-800:])
    os.unlink(a)
    cap.stop()
    rows = sipt_wire._fields(cap.path, ["frame.number", "sip.Method", "sip.Status-Code", "sip.CSeq.method",
                                        "sip.Refer-To", "sip.Event", "sip.Subscription-State", "sipfrag.line",
                                        "sip.Referred-by", "udp.dstport", "_ws.malformed"],
                             ["-d", f"udp.port=={PA},sip", "-d", f"udp.port=={PB},sip", "-d", f"udp.port=={PC},sip",
                              "-Y", "sip"])
    notifies = [m for m in rows if m["sip.Method"] == ["NOTIFY"] and m["udp.dstport"] == [str(PA)]]
    frags = [" ".join(m["sipfrag.line"]) for m in notifies]
    c.check("tshark: REFER with Refer-To the target, answered 202",
            any(m["sip.Method"] == ["REFER"] and m["sip.Refer-To"] and TARGET in m["sip.Refer-To"][0] for m in rows)
            and any(m["sip.Status-Code"] == ["202"] and m["sip.CSeq.method"] == ["REFER"] for m in rows), rows)
    c.check("tshark: NOTIFYs Event refer with sipfrag 100, 180, 200, the last one terminated",
            len(notifies) == 3 and all(m["sip.Event"] == ["refer"] for m in notifies)
            and [f.split(" ")[1] if " " in f else "" for f in frags] == ["100", "180", "200"]
            and "terminated" in notifies[-1]["sip.Subscription-State"][0], [(frags, m) for m in notifies])
    c.check("tshark: the INVITE to the target carries Referred-By",
            any(m["sip.Method"] == ["INVITE"] and m["udp.dstport"] == [str(PB)] and m["sip.Referred-by"]
                for m in rows), [m for m in rows if m["udp.dstport"] == [str(PB)]])
    c.check("tshark: the REFER on the plain trunk is answered 603",
            any(m["sip.Status-Code"] == ["603"] and m["sip.CSeq.method"] == ["REFER"] for m in rows), rows)
    c.check("tshark: nothing malformed", not any(m["_ws.malformed"] for m in rows), [m for m in rows if m["_ws.malformed"]])
    lines = [l for l in d.lines if " transfer " in l]
    c.check("log (weak: our own account): accepted, completed, refused", any("outcome=completed" in l for l in lines)
            and any("outcome=refused" in l for l in lines), lines)
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    if cap:
        cap.cleanup()
    d.cleanup()
c.finish()

"""Continuity checks (Q.764 2.1.8) through an H.248 media gateway's Continuity package (H.248.1 Annex E.10),
issue 22: SIPp -> isupgw -> ISUP over M3UA/TCP -> isup-peer as the adjacent exchange; the trunk group's circuits
are TDM terminations "tdm/e1-{span}/{timeslot}" of Erlang/OTP's megaco as the MG (tests/integration/h248_mg),
and the group asks for a check on every outgoing call (`continuity_check: true`).

  incoming (isup-peer's IAM asks for the check): the gateway adds the circuit's termination to a context with
    Signals { ct/rsp } (the loop) -- passing: COT ok=1 takes it away and the call goes on; failing: COT ok=0
    takes it away, the peer's CCR puts it back until the next COT;
  outgoing (SIPp's calls): each IAM asks for the check, the gateway adds the termination with Signals { ct/ct }
    and Events { ct/cmp }; the MG's Notify ct/cmp res=success gives COT ok=1, res=failure COT ok=0 -- then the
    call is repeated on another circuit (ok=1 there) and after T25 (5 s) the gateway re-checks the first one
    (CCR, ct/ct again: passed this time, the circuit is released to idle with REL).

Verdicts: isup-peer's scenario (the COT ok/fail it receives, the CCR, the IAMs' continuity indicator), SIPp's
exit code, the MG's own record (the signals it was asked to play per termination, its Notifies, no context
left) and tshark's decode of every H.248 datagram on the wire (nothing malformed, the ct signals named). Our
log is read only to pace the script (when the incoming part is over), never for a verdict."""
import os
import re
import subprocess
import tempfile
import threading

from calltest import IsupPeer, free_port, sip_port, uac
from h248mg import H248Mg
from harness import Capture, Checks, Daemon, isup_peer_ss7, wait_until

c = Checks()
IP = "127.0.0.95"
GW_H248, MG_PORT, MARKER = free_port(), free_port(), free_port()
GW = f"""
logging: {{level: info, subsystems: {{isup: debug, mgcp: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
media_gateways:
  - {{name: mg1, protocol: h248, address: {{address: {IP}, port: {MG_PORT}}}, local: {{address: {IP}, port: {GW_H248}}},
     keepalive_ms: 1000, initial_rto_ms: 500, max_rto_ms: 2000, max_retransmissions: 3}}
""" + isup_peer_ss7("1-31", 'media_gateway: mg1, endpoints: "tdm/e1-{span}/{timeslot}", continuity_check: true') + \
    """routes: [{prefix: "", from: local, targets: [{trunk_group: tg-peer}]}]
"""

# We (point code 100) control the odd CICs and hunt them upwards (Q.764 2.10.1.4): SIPp's calls take CIC 1, the
# repeat attempt CIC 3. NCI 04: continuity check required on this circuit (Q.763 3.35, bits DC = 01).
SCENARIO = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
# incoming, passing
send   IAM cic=4 called=1234F cc=1
wait   500ms
send   COT cic=4 ok=1
expect REL cic=4
send   RLC cic=4
# incoming, failing, then the re-check
send   IAM cic=5 called=1234F cc=1
wait   500ms
send   COT cic=5 ok=0
wait   300ms
send   CCR cic=5
wait   500ms
send   COT cic=5 ok=1
wait   300ms
# outgoing, passing (SIPp's first call)
expect IAM cic=1 nature_of_connection_indicators=04 timeout=30s
expect COT cic=1 ok=1
send   ACM cic=1
send   ANM cic=1
expect REL cic=1 cause=16
send   RLC cic=1
# outgoing, failing on CIC 1 (SIPp's second call): repeated on CIC 3, CIC 1 re-checked after T25
expect IAM cic=1 nature_of_connection_indicators=04 timeout=30s
expect COT cic=1 ok=0
expect IAM cic=3 nature_of_connection_indicators=04
expect COT cic=3 ok=1
send   ACM cic=3
send   ANM cic=3
expect REL cic=3 cause=16
send   RLC cic=3
expect CCR cic=1 timeout=15s
expect REL cic=1
send   RLC cic=1
wait   300ms
send   CQM cic=1 range=30
expect CQR cic=1 range=30 circuit_state_indicator=%s
""" % ("0c" * 31)

pcap = os.path.join(tempfile.mkdtemp(prefix="h248-cot-"), "h248.pcap")
cap = Capture(pcap, f"udp and host {IP}", (IP, MARKER))
d = Daemon(GW)
mg = peer = None
try:
    c.check("capture started", cap.started)
    port = sip_port(d)
    line = d.wait_for(r"m3ua listening link=peer transport=tcp address=127.0.0.1 port=(\d+)")
    c.check("gateway listens for M3UA", line is not None, d.lines[-10:])
    mg = H248Mg(IP, MG_PORT, IP, GW_H248)
    c.check("the MG registers (its own view)", mg.expect("registered", 90) is not None)
    peer = IsupPeer(SCENARIO, int(re.search(r"port=(\d+)", line).group(1)) if line else 9, timeout=90)
    # Pacing only: SIPp's calls start once the incoming part is over (the second loop on CIC 5 taken away).
    paced = d.wait_for(r"cot.transition.*termination=tdm/e1-0/5.*event=deleted", timeout=40) and \
        wait_until(lambda: sum("cot.transition" in l and "tdm/e1-0/5" in l and "event=deleted" in l
                               for l in d.lines) >= 2, 20)
    c.check("incoming checks done", bool(paced), d.lines[-20:])
    rc, err = uac("sn:uac", port, extra=["-d", "300"])
    c.check("outgoing call with a passing check completes (SIPp)", rc == 0, err[-500:])
    c.check("the MG gives ct/cmp success", mg.expect("notified ct/cmp success tdm/e1-0/1", 5) is not None)
    c.check("the MG will fail the next check on tdm/e1-0/1", mg.command("cot tdm/e1-0/1 failure", "ok cot") is not None)
    result = {}
    t = threading.Thread(target=lambda: result.update(r=uac("sn:uac", port, extra=["-d", "300"])))
    t.start()
    c.check("the MG gives ct/cmp failure", mg.expect("notified ct/cmp failure tdm/e1-0/1", 30) is not None)
    # The re-check after T25 passes.
    c.check("the MG will pass the re-check", mg.command("cot tdm/e1-0/1 success", "ok cot") is not None)
    t.join(60)
    rc, err = result.get("r", (None, "no result"))
    c.check("the outgoing call repeated on another circuit completes (SIPp)", rc == 0, err[-500:])
    ok = peer.join(60)
    c.check("isup-peer: COT ok=1 / ok=0 received, repeat attempt, CCR and REL after the re-check, all idle", ok,
            peer.output() + "\n".join(d.lines[-40:]))
    signals = [l for l in mg.lines if l.startswith("signal ")]
    want = {"signal ct/rsp tdm/e1-0/4": 1, "signal ct/rsp tdm/e1-0/5": 2, "signal ct/ct tdm/e1-0/1": 3,
            "signal ct/ct tdm/e1-0/3": 1}
    c.check("the MG's record: ct/rsp on CIC 4 once, on CIC 5 twice; ct/ct on CIC 1 three times, on CIC 3 once",
            all(signals.count(k) == n for k, n in want.items()) and len(signals) == sum(want.values()), signals)
    adds = [l for l in mg.lines if l.startswith("add ")]
    # CIC 1: three checks and the first call's context; CIC 3: its check and the repeated call's context (the
    # call's media moved with the repeat attempt), then CIC 1's re-check last; CICs 4, 5: the loops only.
    # Known waste, not yet fixed: the second call's media Add waits on CIC 1 behind its check (a termination is
    # in one context at a time, H.248.1 6.1); when the failed check's Subtract comes before the repeat attempt
    # has moved the media (seen under ASan's timing), that Add goes out on CIC 1 once and the move subtracts it
    # (no context left on the MG, checked below). One such Add is allowed.
    want = {"add tdm/e1-0/1": 4, "add tdm/e1-0/3": 2, "add tdm/e1-0/4": 1, "add tdm/e1-0/5": 2}
    stale = adds.count("add tdm/e1-0/1") - want["add tdm/e1-0/1"]
    c.check("the MG's record of Adds: the repeated call's context on CIC 3, not on CIC 1",
            stale in (0, 1) and all(adds.count(k) == n for k, n in want.items() if k != "add tdm/e1-0/1") and
            len(adds) == sum(want.values()) + stale and adds[-2:] == ["add tdm/e1-0/3", "add tdm/e1-0/1"], adds)
    left = wait_until(lambda: (lambda v: v if v == (0, 0) else None)(mg.contexts()), 10)
    c.check("no context and no termination left on the MG (its own view)", left == (0, 0), mg.contexts())
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    c.check("capture complete", cap.stop())
    r = subprocess.run(["tshark", "-r", pcap, "-d", f"udp.port=={GW_H248},megaco", "-d", f"udp.port=={MG_PORT},megaco",
                        "-Y", "megaco", "-T", "fields", "-E", "separator=|", "-e", "megaco.transid", "-e",
                        "_ws.malformed", "-e", "_ws.expert.message"], capture_output=True, text=True, timeout=60)
    rows = [l for l in r.stdout.splitlines() if l.strip()]
    bad = [l for l in rows if l.split("|")[1:] != ["", ""]]
    c.check("tshark decodes every H.248 message, nothing malformed", r.returncode == 0 and len(rows) > 20 and not bad,
            (r.stderr[-300:], len(rows), bad[:5]))
    r = subprocess.run(["tshark", "-r", pcap, "-d", f"udp.port=={GW_H248},megaco", "-d", f"udp.port=={MG_PORT},megaco",
                        "-Y", "megaco", "-V"], capture_output=True, text=True, timeout=60)
    c.check("tshark shows the ct/rsp, ct/ct and ct/cmp of the wire",
            all(s in r.stdout for s in ("ct/rsp", "ct/ct", "ct/cmp")), r.stdout[-800:])
finally:
    cap.stop()
    d.cleanup()
    if mg:
        mg.stop()
    if peer:
        peer.cleanup()
c.finish()

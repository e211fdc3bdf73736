"""The ANSI-only ISUP procedures through the running daemon (issue 20; T1.113): circuit
validation (CVT/CVR), circuit reservation (CRM/CRA) and the exit message (EXM).

libss7 (the independent judge of test_ss7_peer_libss7_ansi.py) has none of CRM, CRA
and EXM and cannot send a CVT, so these rows run against isup-peer -- our own ISUP
library on the far end: a weaker judge. The verdicts come from isup-peer's
expectations (parameter octets as T1.113.3 lays them out), tshark's decode of the
M3UA wire (`-o mtp3.standard:ANSI`: the CVR's indicators field by field, nothing
malformed), the SIP UA's view and the management API -- never from the gateway's log.

`isupgw run`, one ANSI trunk group (OPC 100, DPC 200: the gateway controls the odd
CICs) over M3UA/TCP to isup-peer, a plain SIP trunk to the small UA of sipt_ua.py.
 A. CVT on CIC 3 -> CVR success, characteristics 0x44 (DC 01 odd CICs, HG 01 no
    continuity check). A CVT on CIC 40 (outside the group) -> CVR "validation failure"
    (T1.113.4: the test is there to find differing translations); ISUP screening (issue 23)
    lets an ANSI CVT from the known peer through to call control, every other message for
    a CIC outside the trunk groups stays dropped.
 B. CRM on CIC 2 -> CRA; the circuit incoming busy (CQR) though no IAM yet; the IAM
    then reaches the UA as an INVITE; its 486 -> REL 17.
 C. CRM on CIC 4 then REL -> RLC, the circuit idle again. (Run before B: the UA's D INVITE
    follows B's 486 at once, so its IAM on CIC 1 could reach isup-peer before C's CRA.)
 D. SIP -> ISUP: EXM before the ACM is taken, the ACM still gives the UA its 180.
 E. The gateway's CVT (POST /trunk-groups/tg/validate, CIC 5) judged on isup-peer's
    CVR: success and consistent (DC 10: the peer controls the even CICs).
Every circuit idle at the end (CQR and the stop report). T_CRA and T_CVT expiry:
unit_isup AnsiProceduresTest (virtual time)."""
import os
import re
import subprocess

import sipt_wire as wire
from calltest import IsupPeer, circuits_idle, sip_port
from harness import Checks, Daemon
from mgmtapi import api_url, request, token_file
from sipt_ua import SDP, Ua

ADDR = "127.0.0.105"  # this test's address
c = Checks()
if not wire.available():
    c.skip("tshark and text2pcap not installed (the oracle of this test)")

TOKEN = "isup-ansi-procedures-0123456789abcdef"
tok = token_file(TOKEN)
ua = Ua(host=ADDR)
CONFIG = f"""
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: peer, address: {ADDR}, port: {ua.port}, allowed_sources: ["{ADDR}"]}}]
ss7:
  point_code_format: decimal
  m3ua_links: [{{name: exch, role: ipsp_server, transport: tcp, local: {{address: {ADDR}, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 200, links: [exch]}}]
  trunk_groups: [{{name: tg, opc: 100, dpc: 200, cics: ["1-31"], variant: ansi}}]
routes:
  - {{prefix: "", from: tg, targets: [{{sip_trunk: peer}}]}}
  - {{prefix: "", from: peer, targets: [{{trunk_group: tg}}]}}
management:
  listen: {{address: 127.0.0.1, port: 0}}
  token_file: {tok}
"""

SCRIPT = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
# A: circuit validation asked by the exchange.
send   CVT cic=3
expect CVR cic=3 circuit_validation_response_indicator=01 circuit_group_characteristics_indicator=44
# A2: a CVT for CIC 40, outside the trunk group (1-31): CVR validation failure (T1.113.4), not dropped.
send   CVT cic=40
expect CVR cic=40 circuit_validation_response_indicator=00 circuit_group_characteristics_indicator=44
# C (before B: D's IAM, sent as soon as B's 486 is out, must not overtake a CRA): a
# reservation the exchange gives up.
send   CRM cic=4 nature_of_connection_indicators=00
expect CRA cic=4
send   REL cic=4 cause=16
expect RLC cic=4
# B: circuit reservation, then the IAM (the UA answers 486).
send   CRM cic=2 nature_of_connection_indicators=00
expect CRA cic=2
send   CQM cic=2 range=0
expect CQR cic=2 range=0 circuit_state_indicator=04
send   IAM cic=2 called=5551234F calling=30999
expect REL cic=2 cause=17
send   RLC cic=2
# D: SIP -> ISUP, EXM before ACM.
expect IAM cic=1 timeout=10s
send   EXM cic=1
send   ACM cic=1 called_status=1
expect REL cic=1 timeout=10s
send   RLC cic=1
# E: the gateway's CVT.
expect CVT cic=5 timeout=10s
send   CVR cic=5 circuit_validation_response_indicator=01 circuit_group_characteristics_indicator=48
wait   300ms
send   CQM cic=1 range=5
expect CQR cic=1 range=5 circuit_state_indicator=0c0c0c0c0c0c
"""

d = Daemon(CONFIG)
url = api_url(d)
gw_sip = sip_port(d)
line = d.wait_for(rf"m3ua listening link=exch transport=tcp address={re.escape(ADDR)} port=(\d+)")
m3 = int(re.search(r"port=(\d+)", line).group(1)) if line else 9
cap = wire.Capture(udp_ports=[ua.port], tcp_ports=[m3])
peer = None
try:
    peer = IsupPeer(SCRIPT, m3, timeout=40, host=ADDR, args=["--variant", "ansi"])
    # B: the IAM on the reserved circuit reaches the UA.
    inv = None
    try:
        inv = ua.accept_invite(timeout=20)
        ua.answer_invite(486, "Busy Here")
    except Exception as e:  # noqa: BLE001 - reported in the check
        inv = e
    c.check("B: the IAM on the reserved CIC 2 reaches the UA as an INVITE (answered 486 -> REL 17)",
            inv is not None and not isinstance(inv, Exception) and "5551234" in inv.start, inv)
    # D: SIP -> ISUP; isup-peer sends EXM then ACM.
    ua.invite(gw_sip, "5550100", [("Content-Type", "application/sdp")], SDP.format(port=40000).encode())
    got180 = None
    try:
        got180 = ua.provisional(timeout=10)
    except Exception as e:  # noqa: BLE001
        got180 = e
    c.check("D: after the EXM, the ACM still reaches the UA as 180", getattr(got180, "status", None) == 180, got180)
    ua.cancel()
    try:
        ua.final(timeout=5)
    except Exception:  # noqa: BLE001 - the 487 is not what is judged
        pass
    # E: the gateway's CVT, judged on isup-peer's CVR.
    st, body = request(url + "/trunk-groups/tg/validate", method="POST", body={"cic": 5}, token=TOKEN, timeout=20)
    c.check("E: the CVR judged: success, consistent (peer's DC 10 the complement of our 01)",
            st == 200 and body.get("success") is True and body.get("consistent") is True
            and body.get("ours") == 0x44 and body.get("theirs") == 0x48, (st, body))
    ok = peer.join(45)
    c.check("isup-peer's expectations pass (A CVR success on 3, failure on 40, B CRA/CQR/REL 17, C RLC, D IAM/REL, E CVT, CQR all idle)", ok,
            peer.output()[-1500:] + "\n".join(d.lines[-10:]))
finally:
    cap.stop()
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    ok, lines = circuits_idle(d)
    c.check("every circuit idle at stop", ok, lines)
    if peer:
        peer.cleanup()

try:
    msgs = [(dn, m) for dn, m in wire.m3ua_messages(cap.path, m3) if m[2] == 1 and m[3] == 1]
    txt = os.path.join(os.path.dirname(cap.path), "ansi.txt")
    pcap = os.path.join(os.path.dirname(cap.path), "ansi.pcap")
    with open(txt, "w") as f:
        for _, m in msgs:
            f.write("0000 " + " ".join(f"{x:02x}" for x in m) + "\n\n")
    subprocess.run(["text2pcap", "-q", "-S", "2905,2905,3", txt, pcap], capture_output=True, timeout=60)
    rows = wire._fields(pcap, ["isup.message_type", "isup.cic", "isup.conn_rsp_ind", "isup.cg_carrier_ind",
                               "isup.cg_char_ind.doubleSeize", "isup.cg_alarm_car_ind", "isup.cg_alarm_cnt_chk",
                               "_ws.malformed", "_ws.expert.severity"], ["-o", "mtp3.standard:ANSI"])
    for row, (dn, _) in zip(rows, msgs):
        row["direction"] = dn

    def sent(t, cic, direction="from"):
        return [r for r in rows if wire.first(r, "isup.message_type") == str(t) and wire.first(r, "isup.cic") == str(cic)
                and r["direction"] == direction]
    cvr3 = sent(0xEB, 3)
    c.check("tshark: the gateway's CVR on CIC 3 -- response indicator success, double seize 1 (odd), continuity 1 (none), carrier 0",
            len(cvr3) == 1 and wire.first(cvr3[0], "isup.conn_rsp_ind") == "1"
            and wire.first(cvr3[0], "isup.cg_char_ind.doubleSeize") == "1"
            and wire.first(cvr3[0], "isup.cg_alarm_cnt_chk") == "1" and wire.first(cvr3[0], "isup.cg_carrier_ind") == "0",
            cvr3)
    cvr40 = sent(0xEB, 40)
    c.check("tshark: the gateway's CVR on CIC 40 (not ours) -- response indicator failure (0)",
            len(cvr40) == 1 and wire.first(cvr40[0], "isup.conn_rsp_ind") == "0", cvr40)
    c.check("tshark: the gateway's CRA (0xE9) on CICs 2 and 4, its CVT (0xEC) on CIC 5",
            len(sent(0xE9, 2)) == 1 and len(sent(0xE9, 4)) == 1 and len(sent(0xEC, 5)) == 1,
            [(r["isup.message_type"], r["isup.cic"], r["direction"]) for r in rows])
    c.check("tshark: isup-peer's CRM, CVT and EXM on the wire",
            sent(0xEA, 2, "to") and sent(0xEC, 3, "to") and sent(0xED, 1, "to"),
            [(r["isup.message_type"], r["isup.cic"], r["direction"]) for r in rows])
    mine = [r for r in rows if r["direction"] == "from"]
    bad = [r for r in mine if r["_ws.malformed"] or any(int(v) >= 0x800000 for v in r["_ws.expert.severity"])]
    c.check("tshark decodes every ISUP message the gateway sent, none malformed or in error", mine and not bad,
            (len(mine), bad[:3]))
finally:
    cap.cleanup()
    d.cleanup()
    ua.close()
    os.unlink(tok)
c.finish()

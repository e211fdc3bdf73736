"""ISUP simple segmentation and overload through the running daemon (issue 20; Q.764 2.1.12, Q.763
Tables 39 and 49).

`isupgw run` with one SIP-I trunk to the small UA of sipt_ua.py and ISUP over
M3UA/TCP to isup-peer; tshark captures both wires. Verdicts come from
isup-peer's expectations (hex of every parameter), tshark's decode of the
M3UA and SIP wires (IAM and SGM decoded, nothing malformed) and what the UA
received -- never from the gateway's log.

 A. SIP -> ISUP: an INVITE whose encapsulated IAM carries a 140-octet access
    transport and a 129-octet user-to-user information (the IAM is over 300
    octets) leaves as an IAM with the simple segmentation indicator (optional
    forward call indicators bit C) and the UUI in an SGM right after it.
 B. ISUP -> SIP: isup-peer sends that IAM + SGM; the INVITE the UA receives
    encapsulates one IAM with both parameters, whole (reassembled).
 C. T34 (3 s, Q.764 Table A.1 2-4 s): an IAM with the indicator and no SGM is
    processed alone when T34 expires (the INVITE comes >= 3 s after the IAM,
    without the UUI); the late SGM is discarded and the call clears normally.
 D. OLM in answer to the gateway's IAM: the SIP caller's INVITE fails at once
    (503 for cause 42), the circuit stays busy (CQR: outgoing busy) until the
    exchange's REL (T3 is 2 min: its expiry is unit-tested)."""
import sys
import threading
import time
import traceback

import sipt_wire as wire
from calltest import IsupPeer, circuits_idle, m3ua_port, sip_port
from harness import Checks, Daemon
from sipt_ua import SDP, Ua, multipart

c = Checks()
if not wire.available():
    c.skip("tshark and text2pcap not installed (the oracle of this test)")

# Access transport (Q.763 3.3): Q.931 information elements -- seven called
# party subaddresses (IE 0x71, user specified, 18 octets each) = 140 octets.
ATP = "".join("7112a0" + bytes(range(i * 17, i * 17 + 17)).hex() for i in range(7))
assert len(ATP) // 2 == 140, len(ATP) // 2
# User-to-user information (Q.763 3.61, at most 129 octets of contents): IA5 (Q.931 4.5.30 discriminator 04).
UUI = "04" + b"segmented-user-to-user-information-".hex() * 3
UUI = (UUI + b"x".hex() * 129)[:258]
assert len(UUI) // 2 == 129


def iam_body(called_bcd, optional):
    """An IAM in the RFC 3204 form (from the message type): NCI, FCI, CPC, TMR, called number, optional part."""
    cdpn = bytes.fromhex("0310" + called_bcd)  # even, national, ISDN numbering plan
    opt = b"".join(bytes([code, len(v)]) + v for code, v in optional) + b"\0"
    head = bytes.fromhex("01" "00" "6001" "0a" "00")
    # pointer 1 at offset 6 -> called number at 8; pointer 2 at 7 -> optional part after it
    return (head + bytes([2, 1 + 1 + len(cdpn)]) + bytes([len(cdpn)]) + cdpn + opt).hex()


PRELUDE = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
"""

CONFIG = """
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: peer, address: 127.0.0.98, port: {ua_port}, profile: sip_i, allowed_sources: ["127.0.0.98"]}}]
ss7:
  point_code_format: decimal
  m3ua_links: [{{name: exch, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 200, links: [exch]}}]
  trunk_groups: [{{name: tg, opc: 100, dpc: 200, cics: ["1-31"]}}]
routes:
  - {{prefix: "", from: tg, targets: [{{sip_trunk: peer}}]}}
  - {{prefix: "", from: peer, targets: [{{trunk_group: tg}}]}}
"""

ua = Ua(host="127.0.0.98")  # this test's address (the gateway listens on 127.0.0.1, port 0)
d = Daemon(CONFIG.format(ua_port=ua.port))
gw_sip = sip_port(d)
m3 = m3ua_port(d, "exch")
cap = wire.Capture(udp_ports=[ua.port], tcp_ports=[m3])
invites = {}  # case -> (INVITE received by the UA, seconds after the case started)


def case(name, script, ua_side):
    start = len(d.lines)
    peer = IsupPeer(script, m3, timeout=30)
    err = ""
    try:
        if not d.wait_for(r"isup rx .*msg=GRA", timeout=15, start=start):  # synchronisation only
            raise TimeoutError("no GRA from isup-peer")
        ua_side()
    except Exception:  # noqa: BLE001 - reported as the check's detail
        err = traceback.format_exc()
    ok = peer.join(40)
    c.check(f"{name}: isup-peer's expectations and the UA's exchange pass", ok and not err,
            err + peer.output()[-1500:] + "\n".join(d.lines[-15:]))
    peer.cleanup()


try:
    # A: SIP -> ISUP, IAM + SGM.
    def a():
        h, b = multipart(SDP.format(port=40000), iam_body("55214365", [(0x03, bytes.fromhex(ATP)),
                                                                      (0x20, bytes.fromhex(UUI))]))
        ua.invite(gw_sip, "+4930123456", h, b)
        fin = ua.final()
        assert fin.status >= 400, fin.start

    case("A SIP-I INVITE with a 300-octet-plus IAM -> IAM (segmentation indicator) + SGM", PRELUDE + f"""
expect IAM cic=1 optional_forward_call_indicators=04 access_transport={ATP}
expect SGM cic=1 user_to_user_information={UUI}
send   REL cic=1 cause=16
expect RLC cic=1
""", a)

    # B: ISUP -> SIP, reassembled.
    def b():
        t0 = time.monotonic()
        inv = ua.accept_invite()
        invites["B"] = (inv, time.monotonic() - t0)
        ua.answer_invite(486, "Busy Here")

    case("B IAM + SGM from ISUP -> one INVITE with the whole IAM", PRELUDE + f"""
send   IAM cic=2 called=5551234F calling=30999 optional_forward_call_indicators=04 access_transport={ATP}
send   SGM cic=2 user_to_user_information={UUI}
expect REL cic=2
send   RLC cic=2
""", b)

    # C: T34 expiry, late SGM discarded.
    def c_side():
        t0 = time.monotonic()
        inv = ua.accept_invite()
        invites["C"] = (inv, time.monotonic() - t0)
        ua.answer_invite(486, "Busy Here")

    case("C IAM with the indicator and no SGM: processed alone at T34 expiry, late SGM discarded", PRELUDE + f"""
send   IAM cic=4 called=5551234F calling=30999 optional_forward_call_indicators=04 access_transport={ATP}
expect REL cic=4 timeout=8s
wait   500ms
send   SGM cic=4 user_to_user_information={UUI}
send   RLC cic=4
wait   300ms
send   CQM cic=1 range=4
expect CQR cic=1 range=4 circuit_state_indicator=0c0c0c0c0c
""", c_side)

    # D: overload. An OLM in answer to the gateway's IAM (Q.763 Table 39, national): the SIP caller gets
    # the final answer for cause 42 at once, the circuit stays out of use (T3, 2 min; its expiry and REL are
    # unit-tested in virtual time), and the exchange's own REL meanwhile is answered with RLC.
    def d_side():
        h, b = multipart(SDP.format(port=40002), iam_body("55214365", []))
        ua.invite(gw_sip, "+4930123456", h, b)
        fin = ua.final()
        invites["D"] = fin
        assert fin.status == 503, fin.start

    case("D OLM in answer to the IAM: the call fails at once (503, cause 42), the circuit held, REL -> RLC", PRELUDE + """
expect IAM cic=1
send   OLM cic=1
wait   500ms
send   CQM cic=1 range=0
expect CQR cic=1 range=0 circuit_state_indicator=08
send   REL cic=1 cause=16
expect RLC cic=1
send   CQM cic=1 range=0
expect CQR cic=1 range=0 circuit_state_indicator=0c
""", d_side)
finally:
    cap.stop()
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    ok, lines = circuits_idle(d)
    c.check("every circuit idle at stop", ok, lines)

try:
    sip = wire.sip_messages(cap.path, ua.port)
    isup = wire.isup_messages(cap.path, m3)

    def of(cic, t, direction="from"):
        """What the gateway ("from") or isup-peer ("to") sent on `cic` with message type `t`, in order."""
        return [m for m in isup if wire.first(m, "isup.cic") == str(cic) and wire.first(m, "isup.message_type") == t
                and m["direction"] == direction]

    # ---- A on the M3UA wire (tshark): IAM then SGM, each within one SIF (the IAM of D follows on CIC 1).
    iam, sgm = of(1, "1")[:1], of(1, "56")
    c.check("A: tshark decodes the gateway's IAM and one SGM (type 0x38) on CIC 1", len(iam) == 1 and len(sgm) == 1,
            [(m["isup.message_type"], m["isup.cic"], m["direction"]) for m in isup])
    if iam and sgm:
        c.check("A: the IAM and the SGM each fit one MTP3 SIF (272 octets: 4 of label + 268)",
                all(len(m["isup_raw"]) // 2 + 2 <= 268 for m in iam + sgm),
                [len(m["isup_raw"]) // 2 + 2 for m in iam + sgm])
        c.check("A: tshark reads the IAM's simple segmentation indicator set",
                "additional information will be sent in a segmentation message" in iam[0]["text"].lower(),
                iam[0]["text"][-1500:])
        c.check("A: the SGM carries the UUI (tshark)", "User-to-user info" in sgm[0]["text"]
                or bool(sgm[0].get("isup.user_to_user_info")), sgm[0]["text"][-1500:])
        c.check("A: together over 300 octets", (len(iam[0]["isup_raw"]) + len(sgm[0]["isup_raw"])) // 2 + 4 > 300,
                (len(iam[0]["isup_raw"]), len(sgm[0]["isup_raw"])))
    bad = [m["text"][-600:] for m in isup if m.get("_ws.malformed") or "Malformed" in m["text"]]
    c.check("every ISUP message on the M3UA wire decodes clean in tshark", not bad, bad[:2])
    # ---- D: the OLM (Q.763 type 0x30) from isup-peer, the gateway's RLC to the exchange's REL, no REL of its own.
    c.check("D: tshark decodes isup-peer's OLM on CIC 1", len(of(1, "48", "to")) == 1,
            [(m["isup.message_type"], m["direction"]) for m in isup if wire.first(m, "isup.cic") == "1"])
    c.check("D: the gateway sent two IAMs on CIC 1 (A, D) and no REL after the OLM, only the RLC",
            len(of(1, "1")) == 2 and len(of(1, "12")) == 0 and len(of(1, "16")) == 2,
            [(m["isup.message_type"], m["direction"]) for m in isup if wire.first(m, "isup.cic") == "1"])

    # ---- B/C: the INVITEs the UA received (tshark's decode of the SIP-I body, and the bytes).
    inv_rows = [m for m in sip if wire.first(m, "sip.Method") == "INVITE" and m.get("udp.dstport")
                and int(m["udp.dstport"][0]) == ua.port]
    c.check("B, C: two INVITEs towards the UA", len(inv_rows) == 2, len(inv_rows))
    if len(inv_rows) == 2:
        rb, rc_ = inv_rows
        c.check("B: the encapsulated IAM holds the whole access transport and UUI (tshark's ISUP in SIP)",
                ATP in rb["isup_raw"] and UUI in rb["isup_raw"], rb["isup_raw"])
        c.check("B: tshark decodes the reassembled IAM's UUI", "User-to-user info" in rb["text"]
                or bool(rb.get("isup.user_to_user_info")), rb["text"][-800:])
        c.check("C: the INVITE after T34 holds the access transport, no UUI",
                ATP in rc_["isup_raw"] and UUI not in rc_["isup_raw"], rc_["isup_raw"])
        bad = [m["text"][-600:] for m in inv_rows if m.get("_ws.malformed") or "Malformed" in m["text"]]
        c.check("the INVITEs' ISUP bodies decode clean in tshark", not bad, bad[:2])
    if "C" in invites:
        c.check("C: the INVITE came when T34 (3 s) expired, not before", invites["C"][1] >= 2.8, invites["C"][1])
    if "B" in invites:
        c.check("B: the reassembled IAM went on at once (no T34 wait)", invites["B"][1] < 2.0, invites["B"][1])
finally:
    cap.cleanup()
    d.cleanup()
    ua.close()
c.finish()

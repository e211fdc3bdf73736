"""ISUP transparency through the running daemon (issue 15), SIP-I and SIP-T.

`isupgw run` with a configuration: one SIP trunk (profile sip_i, then sip_t,
then plain sip) to a small SIP-I/SIP-T user agent in this process that sends
binary ISUP bodies over UDP (sipt_ua.py), and ISUP over M3UA/TCP to isup-peer.
tshark captures both wires on lo; the verdicts come from tshark's decode (SIP
with the ISUP it encapsulates; M3UA re-wrapped as SCTP, oracles.md) and from
isup-peer's expectations, never from the gateway's log.

 1. REL cause locations LN, LPN, U, BI cross both ways: the ISUP REL of a
    SIP-I/SIP-T 486/603/403/BYE/CANCEL carries the location the SIP side's REL gave,
    and an ISUP REL's location is that of the REL in the final response or
    BYE, with the status RFC 3398 8.2.6.1 gives (cause 21 from the user: 603,
    elsewhere 403). Each cause-location unit test of the call engine has its
    twin here (named in the check).
 2. Backward parameters: an encapsulated ACM (charge, called party category,
    optional backward call indicators), the CPG of a later 183, ANM (BCI,
    connected number) and CON are the basis of the ISUP message sent (a 200
    with an ANM before any ACM becomes a CON with the ANM's indicators); the
    ACM/CPG/ANM/CON the exchange sends reach the SIP side encapsulated
    unchanged (an early CPG in a 183).
 3. INFO carrying CPG, USR, FAC, SUS, RES goes into ISUP; CPG, USR, FAC, SUS, RES from
    ISUP mid-call become INFO; an INFO body that is no usable ISUP is refused
    (415 with Accept for another body type or an ISUP version the trunk
    cannot read, 400 for an undecodable one or a message INFO does not
    carry) and nothing reaches ISUP.
 4. Calling party number: every one the gateway emits (IAM into ISUP, IAM
    encapsulated towards the UA) reads with a screening indicator and without
    "reserved" in tshark; without P-Asserted-Identity the From number goes as
    generic number "additional calling party number" (user provided, not
    verified) and no calling party number; with one, the calling party number
    is network provided and the differing From the generic number."""
import os
import sys
import threading
import traceback

import sipt_wire as wire
from calltest import IsupPeer, circuits_idle, m3ua_port, sip_port
from harness import Checks, Daemon
from sipt_ua import SDP, Ua, isup_part, multipart

c = Checks()
if not wire.available():
    c.check("tshark and text2pcap installed (the oracle of this test)", False)
    c.finish()

PRELUDE = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
"""
CQM = """
wait   300ms
send   CQM cic=1 range=30
expect CQR cic=1 range=30 circuit_state_indicator=%s
""" % ("0c" * 31)

# Bodies the SIP side sends (RFC 3204 form, from the message type octet).
ACM = "06 25 04 01 29 01 01 00"  # BCI: no charge, subscriber free, payphone; OBCI: in-band information
ANM = "09 01 11 02 25 04 21 07 04 13 94 53 55 95 99 00"  # BCI as above; connected number 4935555999
CON = "07 26 04 01 21 07 04 13 94 53 55 95 99 00"  # BCI: charge, subscriber free, payphone
CPG_EARLY = "2c 03 01 29 01 01 00"  # event 3 in-band information available; OBCI: in-band information
CPG = "2c 02 00"  # PROGRESS
USR = "2d 02 00 03 aa bb cc"
FAC = "33 01 32 02 91 00 00"  # remote operations 91 00
SUS = "0d 00 00"  # ISDN subscriber initiated
RES = "0e 00 00"
LOC = {"U": 0, "LPN": 1, "LN": 2, "BI": 10}
I1_NAME = ("I1 ACM/CPG/ANM into ISUP, INFO both ways, exchange clears (REL LN) "
           "(twin of SipIByeTowardsTheCalleeCarriesTheRel)")


def rel(cause, loc):
    """A REL body with cause indicators (ITU coding, location `loc`)."""
    return f"0c 02 00 02 {0x80 | LOC[loc]:02x} {0x80 | cause:02x}"


def ci(cause, loc):
    return f"{0x80 | LOC[loc]:02x}{0x80 | cause:02x}"


def config(profile, ua_port):
    return f"""
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: peer, address: 127.0.0.1, port: {ua_port}, profile: {profile}, allowed_sources: ["127.0.0.1"]}}]
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


class Run:
    """One profile's daemon, UA, capture; cases record what to look for on the wire."""

    def __init__(self, profile):
        self.profile = profile
        self.ua = Ua()
        self.d = Daemon(config(profile, self.ua.port))
        self.gw_sip = sip_port(self.d)
        self.m3ua = m3ua_port(self.d, "exch")
        self.cap = wire.Capture(udp_ports=[self.ua.port], tcp_ports=[self.m3ua])
        self.calls = {}  # case name -> Call-ID
        self.cics = {}  # case name -> CIC

    def case(self, name, script, ua_side, cic):
        """isup-peer plays `script` while `ua_side()` drives the UA; both must pass."""
        start = len(self.d.lines)
        peer = IsupPeer(PRELUDE + script + CQM, self.m3ua, timeout=30)
        err = ""
        try:
            # The circuits are reset (GRS answered by GRA) before any call: a
            # synchronisation point read from the log, not a verdict.
            if not self.d.wait_for(r"isup rx .*msg=GRA", timeout=15, start=start):
                raise TimeoutError("no GRA from isup-peer")
            ua_side()
        except Exception:  # noqa: BLE001 - reported as the check's detail
            err = traceback.format_exc()
        ok = peer.join(40)
        self.cics[name] = cic
        if self.ua.dialog:
            self.calls[name] = self.ua.dialog["call_id"]
        c.check(f"[{self.profile}] {name}: isup-peer's expectations and the UA's exchange pass", ok and not err,
                err + peer.output()[-1500:] + "\n".join(self.d.lines[-15:]))
        peer.cleanup()

    def finish(self):
        self.cap.stop()
        rc, _ = self.d.stop()
        c.check(f"[{self.profile}] gateway stops cleanly", rc == 0, rc)
        ok, lines = circuits_idle(self.d)
        c.check(f"[{self.profile}] every circuit idle at stop", ok, lines)
        self.sip = wire.sip_messages(self.cap.path, self.ua.port)
        self.isup = wire.isup_messages(self.cap.path, self.m3ua)

    def cleanup(self):
        self.cap.cleanup()
        self.d.cleanup()
        self.ua.close()

    # what tshark saw
    def sip_of(self, name):
        cid = self.calls.get(name)
        return [m for m in self.sip if wire.first(m, "sip.Call-ID") == cid]

    def isup_of(self, cic):
        return [m for m in self.isup if wire.first(m, "isup.cic") == str(cic)]


def body(profile, hexbytes, sdp=False, version="itu-t92+", handling="required", base=None):
    """SIP-I: multipart with SDP when there is one; SIP-T: application/ISUP with base."""
    base = base or ("itu-t92+" if profile == "sip_t" else None)
    if sdp:
        return multipart(SDP.format(port=40000), hexbytes, version, base, handling)
    return isup_part(hexbytes, version, base, handling)


# ====================================================================== cases


def isup_to_sip_cases(r):
    ua, p = r.ua, r.profile

    # I1: the UA (called side) rings with an ACM and answers with an ANM; INFO both ways; the exchange clears.
    def i1():
        ua.accept_invite()
        h, b = body(p, ACM)
        ua.answer_invite(180, "Ringing", h, b)
        h, b = body(p, CPG_EARLY, sdp=True)
        ua.answer_invite(183, "Session Progress", h, b)
        h, b = body(p, ANM, sdp=True)
        ua.answer_invite(200, "OK", h, b)
        ua.wait(lambda m: m.is_request and m.method == "ACK", what="ACK")
        for x in (CPG, USR, FAC, SUS, RES):
            h, b = body(p, x)
            resp = ua.request("INFO", h, b)
            assert resp.status == 200, resp.start
        for _ in range(3):
            ua.expect_request("INFO")
        ua.expect_request("BYE")

    r.case(I1_NAME, f"""
send   IAM cic=2 called=5551234F calling=30999
expect ACM cic=2 backward_call_indicators=2504 optional_backward_call_indicators=01
expect CPG cic=2 event_information=03 optional_backward_call_indicators=01
expect ANM cic=2 backward_call_indicators=2504 connected_number=04139453559599
expect CPG cic=2 event_information=02
expect USR cic=2 user_to_user_information=aabbcc
expect FAC cic=2 remote_operations=9100
expect SUS cic=2 suspend_resume_indicators=00
expect RES cic=2 suspend_resume_indicators=00
send   CPG cic=2 event=2 generic_notification_indicator=f1
send   USR cic=2 user_to_user_information=ddeeff
send   FAC cic=2 remote_operations=9101
wait   500ms
send   REL cic=2 cause_indicators={ci(16, "LN")}
expect RLC cic=2
""", i1, 2)

    # I2: a 200 with an ANM and no 18x: CON with the ANM's indicators. Unusable INFO bodies
    # are refused and nothing reaches ISUP. The UA clears with a REL (cause 31, location U).
    statuses = []

    def i2():
        ua.accept_invite()
        h, b = body(p, ANM, sdp=True)
        ua.answer_invite(200, "OK", h, b)
        ua.wait(lambda m: m.is_request and m.method == "ACK", what="ACK")
        h, b = body(p, CPG, version="ansi00", base="ansi00")  # RFC 3204: no ITU base to read it with
        statuses.append(ua.request("INFO", h, b))
        statuses.append(ua.request("INFO", [("Content-Type", "text/plain"),
                                            ("Content-Disposition", "render;handling=required")], b"hello"))
        h, b = body(p, "2c")
        statuses.append(ua.request("INFO", h, b))
        h, b = body(p, ANM)
        statuses.append(ua.request("INFO", h, b))
        h, b = body(p, rel(31, "U"))
        resp = ua.request("BYE", h + [("Reason", "Q.850;cause=16")], b)
        assert resp.status == 200, resp.start

    r.case("I2 200+ANM before any ACM -> CON; unusable INFO refused; UA BYE REL 31 U "
           "(twin of SipIByeFromTheCalleeReleasesWithTheRelCause)", f"""
send   IAM cic=4 called=5551234F calling=30999
expect CON cic=4 backward_call_indicators=2504 connected_number=04139453559599
expect REL cic=4 cause_indicators={ci(31, "U")}
send   RLC cic=4
""", i2, 4)
    r.refusals = statuses

    # I3-I6: the UA refuses the call with a REL: the ISUP REL keeps cause and location.
    for n, (status, cause, loc, twin) in enumerate([(486, 17, "U", "SipIRejectionPassesTheRelLocationOn"),
                                                   (486, 17, "LPN", ""), (603, 21, "LN", ""), (403, 21, "BI", "")]):
        cic = 6 + 2 * n

        def reject(status=status, cause=cause, loc=loc):
            ua.accept_invite()
            h, b = body(p, rel(cause, loc))
            ua.answer_invite(status, "Refused", h + [("Reason", f"Q.850;cause={cause}")], b)
            ua.wait(lambda m: m.is_request and m.method == "ACK", what="ACK")

        r.case(f"I{3 + n} UA {status} with REL {cause} {loc} -> ISUP REL {loc}" + (f" (twin of {twin})" if twin else ""),
               f"""
send   IAM cic={cic} called=5551234F calling=30999
expect REL cic={cic} cause_indicators={ci(cause, loc)}
send   RLC cic={cic}
""", reject, cic)


    # I7: a 200 with a CON (no 18x): the ISUP CON keeps its BCI and connected number. The UA clears
    # with a REL (cause 16, location LN).
    def i7():
        ua.accept_invite()
        h, b = body(p, CON, sdp=True)
        ua.answer_invite(200, "OK", h, b)
        ua.wait(lambda m: m.is_request and m.method == "ACK", what="ACK")
        h, b = body(p, rel(16, "LN"))
        resp = ua.request("BYE", h + [("Reason", "Q.850;cause=16")], b)
        assert resp.status == 200, resp.start

    r.case("I7 200+CON -> CON; UA BYE REL 16 LN", f"""
send   IAM cic=14 called=5551234F calling=30999
expect CON cic=14 backward_call_indicators=2604 connected_number=04139453559599
expect REL cic=14 cause_indicators={ci(16, "LN")}
send   RLC cic=14
""", i7, 14)


def sip_to_isup_cases(r):
    ua, p = r.ua, r.profile
    sdp_body = [("Content-Type", "application/sdp")], SDP.format(port=40002).encode()

    # S1: no PAI: From -> generic number, no calling party number. The exchange's ACM/CPG/ANM reach the UA
    # unchanged; CPG/USR/FAC/SUS/RES mid-call go as INFO; INFO from the UA into ISUP; the exchange clears (REL U).
    def s1():
        ua.invite(r.gw_sip, "+4930123456", sdp_body[0], sdp_body[1])
        ua.provisional()
        fin = ua.final()
        assert fin.status == 200, fin.start
        for _ in range(5):
            ua.expect_request("INFO")
        for x in (CPG, USR, FAC):
            h, b = body(p, x)
            resp = ua.request("INFO", h, b)
            assert resp.status == 200, resp.start
        ua.expect_request("BYE")

    r.case("S1 no PAI (generic number), ACM/ANM to SIP, INFO both ways, exchange clears REL U "
           "(twin of SipIByeTowardsTheCallerCarriesTheRel)", f"""
expect IAM cic=1 generic_number=068310035505
send   ACM cic=1 backward_call_indicators=2504 optional_backward_call_indicators=01
send   CPG cic=1 event=3 optional_backward_call_indicators=01
send   USR cic=1 user_to_user_information=112233
send   ANM cic=1 backward_call_indicators=2504 connected_number=04139453559599
send   CPG cic=1 event=2 generic_notification_indicator=f1
send   USR cic=1 user_to_user_information=ddeeff
send   FAC cic=1 remote_operations=9101
send   SUS cic=1
send   RES cic=1
expect CPG cic=1 event_information=02
expect USR cic=1 user_to_user_information=aabbcc
expect FAC cic=1 remote_operations=9100
send   REL cic=1 cause_indicators={ci(16, "U")}
expect RLC cic=1
""", s1, 1)

    # S2: PAI: calling party number network provided; the different From as generic number. CON answers.
    # The UA clears with a REL (cause 127, location BI).
    def s2():
        ua.invite(r.gw_sip, "+4930123456", sdp_body[0] + [("P-Asserted-Identity", "<tel:+4930777>"),
                                                           ("Privacy", "none")], sdp_body[1])
        fin = ua.final()
        assert fin.status == 200, fin.start
        h, b = body(p, rel(127, "BI"))
        resp = ua.request("BYE", h + [("Reason", "Q.850;cause=16")], b)
        assert resp.status == 200, resp.start

    r.case("S2 PAI (calling network provided + generic number), CON to SIP, UA BYE REL 127 BI "
           "(twin of SipIByeFromTheCallerReleasesWithTheRelCause)", f"""
expect IAM cic=1 calling_party_number=8313037707 generic_number=068310035505
send   CON cic=1 backward_call_indicators=2604 connected_number=04139453559599
expect REL cic=1 cause_indicators={ci(127, "BI")}
send   RLC cic=1
""", s2, 1)

    # S7: the UA cancels after the 180 with a REL (cause 31, location LPN) in the CANCEL: the basis of our REL.
    def s7():
        ua.invite(r.gw_sip, "+4930123456", sdp_body[0], sdp_body[1])
        ua.provisional()
        h, b = body(p, rel(31, "LPN"))
        resp = ua.cancel(h + [("Reason", "Q.850;cause=31")], b)
        assert resp.status == 200, resp.start
        fin = ua.final()
        assert fin.status == 487, fin.start

    r.case("S7 UA CANCEL with REL 31 LPN -> ISUP REL LPN", f"""
expect IAM cic=1
send   ACM cic=1 backward_call_indicators=1604
expect REL cic=1 cause_indicators={ci(31, "LPN")}
send   RLC cic=1
""", s7, 1)

    # S3-S6: the exchange refuses: status by cause and location, the REL in the response unchanged.
    r.finals = {}
    for n, (cause, loc, status, twin) in enumerate([(17, "LN", 486, ""), (21, "LPN", 403, ""),
                                                   (21, "U", 603, "SipIRejectionTowardsTheCallerCarriesTheRelLocation"),
                                                   (21, "BI", 403, "")]):
        name = f"S{3 + n} ISUP REL {cause} {loc} -> {status}" + (f" (twin of {twin})" if twin else "")

        def refused(name=name):
            ua.invite(r.gw_sip, "+4930123456", sdp_body[0], sdp_body[1])
            r.finals[name] = ua.final()

        r.case(name, f"""
expect IAM cic=1
send   REL cic=1 cause_indicators={ci(cause, loc)}
expect RLC cic=1
""", refused, 1)
        r.expected_finals = getattr(r, "expected_finals", {})
        r.expected_finals[name] = (status, cause, LOC[loc])


def plain_cases(r):
    ua = r.ua
    sdp_body = [("Content-Type", "application/sdp")], SDP.format(port=40004).encode()

    # A plain SIP trunk reads Reason only: the REL body of a BYE is ignored, our location (LN) goes.
    def p1():
        ua.invite(r.gw_sip, "+4930123456", sdp_body[0] + [("P-Asserted-Identity", "<tel:+4930777>")], sdp_body[1])
        fin = ua.final()
        assert fin.status == 200, fin.start
        h, b = isup_part(CPG)
        r.plain_info = ua.request("INFO", h, b)
        h, b = isup_part(rel(127, "U"))
        resp = ua.request("BYE", h + [("Reason", "Q.850;cause=41")], b)
        assert resp.status == 200, resp.start

    r.case("P1 plain SIP: INFO with ISUP refused, BYE's REL body ignored, Reason 41 with our LN "
           "(twin of PlainSipTrunkTakesReasonNotAnIsupBody)", f"""
expect IAM cic=1 calling_party_number=8313037707
send   ANM cic=1
expect REL cic=1 cause_indicators={ci(41, "LN")}
send   RLC cic=1
""", p1, 1)

    # The plain SIP case (SIPp behind B): an ISUP REL cause 21 from the user (U) is 603, from
    # elsewhere (LN) 403 (RFC 3398 8.2.6.1); Reason carries the cause, no body.
    r.plain_finals = {}
    for n, (loc, status) in enumerate([("U", 603), ("LN", 403)]):
        name = f"P{2 + n} plain SIP: ISUP REL 21 {loc} -> {status}"

        def refused(name=name):
            ua.invite(r.gw_sip, "+4930123456", sdp_body[0], sdp_body[1])
            r.plain_finals[name] = ua.final()

        r.case(name, f"""
expect IAM cic=1
send   REL cic=1 cause_indicators={ci(21, loc)}
expect RLC cic=1
""", refused, 1)
        r.plain_expected = getattr(r, "plain_expected", {})
        r.plain_expected[name] = status


# ====================================================================== wire checks


def isup_types(rows):
    return [wire.first(m, "isup.message_type") for m in rows]


def calling_numbers_clean(r):
    """Every calling party number the gateway sent reads without "reserved": in ISUP towards the exchange
    and in the ISUP bodies of SIP towards the UA."""
    bad, seen = [], 0
    sent = [m for m in r.isup if m.get("direction") == "from"]
    sent += [m for m in r.sip if wire.first(m, "udp.dstport") == str(r.ua.port)]
    for m in sent:
        # tshark heads the parameter twice ("(t=10, l=5): Calling party number: ..." then "Calling party
        # number (10)" with its fields): one number per message, every block of it read.
        blocks = [b for b in m["text"].split("Parameter: ")[1:] if "Calling party number" in b.split("\n")[0]]
        if not blocks:
            continue
        seen += 1
        if not any("Screening indicator" in b for b in blocks):
            bad.append("no screening indicator decoded: " + "".join(blocks))
        bad += [b for b in blocks if "reserved" in b.lower()]
    return seen, bad


def info_contents(infos):
    """The exchange's CPG (event 2, generic notification f1), USR (ddeeff) and FAC (remote operations 9101),
    as tshark reads them in the INFOs towards the UA."""
    return (len(infos) >= 3 and wire.first(infos[0], "isup.event_ind") == "2" and
            wire.first(infos[1], "isup.user_to_user_info").replace(":", "") == "ddeeff" and
            "Remote operations: 9101" in infos[2]["text"])


def check_run(r):
    p = r.profile
    sent_sip = [m for m in r.sip if wire.first(m, "udp.dstport") == str(r.ua.port)]
    sent_isup = [m for m in r.isup if m.get("direction") == "from"]
    malformed = [m for m in sent_sip + sent_isup if m.get("_ws.malformed")]
    c.check(f"[{p}] tshark: nothing malformed in what the gateway sent ({len(sent_sip)} SIP, {len(sent_isup)} ISUP)",
            not malformed and sent_sip and sent_isup, malformed[:2])
    seen, bad = calling_numbers_clean(r)
    c.check(f"[{p}] tshark: every calling party number the gateway sent ({seen}, ISUP and SIP bodies) reads "
            "without 'reserved'", seen > 0 and not bad, bad[:2])
    if p == "sip":
        info = getattr(r, "plain_info", None)
        c.check("[sip] an INFO with ISUP on a plain SIP trunk is refused 415",
                info is not None and info.status == 415, info)
        for name, status in getattr(r, "plain_expected", {}).items():
            fins = [m for m in r.sip_of(name) if wire.first(m, "sip.Status-Code") == str(status)]
            c.check(f"[sip] {name}: tshark reads {status} with Reason Q.850 cause 21 and no ISUP body",
                    len(fins) == 1 and wire.first(fins[0], "sip.reason_cause_q850") == "21" and
                    not wire.first(fins[0], "isup.message_type"),
                    [(wire.first(m, "sip.Status-Code"), m.get("sip.reason_cause_q850")) for m in r.sip_of(name)])
        return

    # Octet for octet (tshark's raw ISUP bytes; the M3UA side without its CIC, as RFC 3204 bodies carry it).
    ua_port = str(r.ua.port)
    exchange_sent = {m["isup_raw"] for m in r.isup if m["direction"] == "to" and m["isup_raw"]}
    to_ua = [m for m in r.sip if wire.first(m, "udp.dstport") == ua_port and m["isup_raw"]]
    changed = [(wire.first(m, "sip.Method") or wire.first(m, "sip.Status-Code"), m["isup_raw"]) for m in to_ua
               if m["isup_raw"] not in exchange_sent]
    c.check(f"[{p}] tshark: every ISUP body the gateway sent to the UA ({len(to_ua)}: IAM, ACM, CPG, ANM, CON, REL, "
            "INFO's) is, octet for octet, a message the exchange sent (encapsulated unchanged)",
            len(to_ua) >= 20 and not changed, changed)
    ua_sent = {m["isup_raw"] for m in r.sip if wire.first(m, "udp.srcport") == ua_port and m["isup_raw"]}
    # Every backward or mid-call message the gateway built from a body goes as the body was, except the CON that
    # stands for I2's ANM (its own type; checked by field above).
    from_body = [m for m in r.isup if m["direction"] == "from" and
                 wire.first(m, "isup.message_type") in ("6", "44", "9", "7", "12", "45", "51", "13", "14") and
                 not (wire.first(m, "isup.cic") == "4" and wire.first(m, "isup.message_type") == "7")]
    changed = [(wire.first(m, "isup.cic"), wire.first(m, "isup.message_type"), m["isup_raw"]) for m in from_body
               if m["isup_raw"] not in ua_sent]
    c.check(f"[{p}] tshark: every ACM, CPG, ANM, CON, REL, USR, FAC, SUS, RES the gateway sent into ISUP "
            f"({len(from_body)}) is, octet for octet, the body the UA sent", len(from_body) >= 20 and not changed,
            changed)

    # --- ISUP -> SIP calls (the UA answers)
    i1 = [m for m in r.isup_of(2) if m["direction"] == "from"]
    acm = [m for m in i1 if wire.first(m, "isup.message_type") == "6"]
    c.check(f"[{p}] I1 tshark: the ACM into ISUP says no charge (1), subscriber free (1), payphone (2), in-band (1)",
            len(acm) == 1 and wire.first(acm[0], "isup.charge_indicator") == "1" and
            wire.first(acm[0], "isup.called_partys_status_indicator") == "1" and
            wire.first(acm[0], "isup.called_partys_category_indicator") == "2" and
            wire.first(acm[0], "isup.inband_information_ind") in ("1", "True"), acm[:1])
    anm = [m for m in i1 if wire.first(m, "isup.message_type") == "9"]
    c.check(f"[{p}] I1 tshark: the ANM into ISUP carries the connected number 4935555999 and the BCI",
            len(anm) == 1 and "4935555999" in anm[0]["text"] and wire.first(anm[0], "isup.charge_indicator") == "1",
            anm[:1])
    cpg = [m for m in i1 if wire.first(m, "isup.message_type") == "44"]
    c.check(f"[{p}] I1 tshark: the 183's CPG into ISUP says event 3 (in-band information), in-band (1)",
            len(cpg) == 2 and wire.first(cpg[0], "isup.event_ind") == "3" and
            wire.first(cpg[0], "isup.inband_information_ind") in ("1", "True"), cpg[:1])
    c.check(f"[{p}] I1 tshark: the 183's CPG, then INFO CPG (event 2)/USR/FAC/SUS/RES went into ISUP in order",
            [t for t in isup_types(i1) if t in ("44", "45", "51", "13", "14")] == ["44", "44", "45", "51", "13", "14"]
            and len(cpg) == 2 and wire.first(cpg[1], "isup.event_ind") == "2", isup_types(i1))
    for cic, what in ((2, "I1"), (1, "S1")):
        sent = [m for m in r.isup_of(cic) if m["direction"] == "from"]
        usr = [m for m in sent if wire.first(m, "isup.message_type") == "45"]
        fac = [m for m in sent if wire.first(m, "isup.message_type") == "51"]
        c.check(f"[{p}] {what} tshark: the INFO's USR and FAC went into ISUP with their contents (user-to-user "
                "aabbcc, remote operations 9100)",
                len(usr) == 1 and wire.first(usr[0], "isup.user_to_user_info").replace(":", "") == "aabbcc" and
                len(fac) == 1 and "Remote operations: 9100" in fac[0]["text"],
                [(m.get("isup.user_to_user_info"), m["text"][-300:]) for m in usr + fac])
    sip1 = r.sip_of(I1_NAME)
    infos = [m for m in sip1 if wire.first(m, "sip.Method") == "INFO" and int(wire.first(m, "udp.dstport") or 0) ==
             r.ua.port]
    c.check(f"[{p}] I1 tshark: the exchange's CPG/USR/FAC reached the UA as INFO, unchanged",
            [wire.first(m, "isup.message_type") for m in infos] == ["44", "45", "51"] and info_contents(infos),
            [(wire.first(m, "isup.message_type"), m["text"][:200]) for m in infos])
    byes = [m for m in sip1 if wire.first(m, "sip.Method") == "BYE"]
    c.check(f"[{p}] I1 tshark: the BYE to the UA carries the exchange's REL: cause 16, location LN (2)",
            len(byes) == 1 and wire.first(byes[0], "isup.cause_indicator") == "16" and
            wire.cause_location(byes[0]) == "2", byes)
    con = [m for m in r.isup_of(4) if m["direction"] == "from" and wire.first(m, "isup.message_type") == "7"]
    c.check(f"[{p}] I2 tshark: the 200's ANM before any ACM went as a CON with its BCI and connected number",
            len(con) == 1 and wire.first(con[0], "isup.called_partys_category_indicator") == "2" and
            "4935555999" in con[0]["text"], con[:1])
    con = [m for m in r.isup_of(14) if m["direction"] == "from" and wire.first(m, "isup.message_type") == "7"]
    c.check(f"[{p}] I7 tshark: the 200's CON went into ISUP with its BCI (charge (2), payphone (2)) and connected "
            "number", len(con) == 1 and wire.first(con[0], "isup.charge_indicator") == "2" and
            wire.first(con[0], "isup.called_partys_category_indicator") == "2" and "4935555999" in con[0]["text"],
            con[:1])
    # The REL the gateway sent into ISUP for each SIP-side release: cause and location as the SIP side's REL.
    # (CIC, which of the gateway's RELs on it, ...): the S cases all take CIC 1; S2 and S7 are the ones the
    # gateway releases, in that order.
    for cic, nth, n_rels, cause, loc, what in [
            (4, 0, 1, 31, "U", "I2 BYE"), (6, 0, 1, 17, "U", "I3 486"), (8, 0, 1, 17, "LPN", "I4 486"),
            (10, 0, 1, 21, "LN", "I5 603"), (12, 0, 1, 21, "BI", "I6 403"), (14, 0, 1, 16, "LN", "I7 BYE"),
            (1, 0, 2, 127, "BI", "S2 BYE"), (1, 1, 2, 31, "LPN", "S7 CANCEL")]:
        rels = [m for m in r.isup_of(cic) if m["direction"] == "from" and wire.first(m, "isup.message_type") == "12"]
        c.check(f"[{p}] {what} with REL {cause} {loc}: tshark reads the ISUP REL sent as cause {cause} location "
                f"{LOC[loc]}", len(rels) == n_rels and wire.first(rels[nth], "isup.cause_indicator") == str(cause) and
                wire.cause_location(rels[nth]) == str(LOC[loc]),
                [(m.get("isup.cause_indicator"), wire.cause_location(m)) for m in rels])
    refusals = [x.status for x in getattr(r, "refusals", [])]
    c.check(f"[{p}] I2: unusable INFO bodies refused: ISUP version ansi00 415, text/plain 415, undecodable 400, "
            "ANM 400", refusals == [415, 415, 400, 400], refusals)
    sip2 = [m for n, cid in r.calls.items() if n.startswith("I2") for m in r.sip_of(n)]
    r415 = [m for m in sip2 if wire.first(m, "sip.Status-Code") == "415"]
    c.check(f"[{p}] I2 tshark: each 415 carries Accept: application/ISUP;version=itu-t92+",
            len(r415) == 2 and all("application/ISUP;version=itu-t92+" in wire.first(m, "sip.Accept") for m in r415),
            [(m.get("sip.Accept")) for m in r415])
    stray = [t for t in isup_types([m for m in r.isup_of(4) if m["direction"] == "from"]) if t not in ("7", "12")]
    c.check(f"[{p}] I2 tshark: nothing but CON and REL reached ISUP on that call (refused INFOs dropped nothing "
            "into ISUP)", not stray, stray)

    # --- SIP -> ISUP calls (the UA calls)
    s1 = r.sip_of("S1 no PAI (generic number), ACM/ANM to SIP, INFO both ways, exchange clears REL U "
                  "(twin of SipIByeTowardsTheCallerCarriesTheRel)")
    to_ua = [m for m in s1 if int(wire.first(m, "udp.dstport") or 0) == r.ua.port]
    r180 = [m for m in to_ua if wire.first(m, "sip.Status-Code") in ("180", "183")]
    c.check(f"[{p}] S1 tshark: the 18x to the UA carries the exchange's ACM unchanged (no charge, payphone, in-band)",
            len(r180) >= 1 and wire.first(r180[0], "isup.message_type") == "6" and
            wire.first(r180[0], "isup.charge_indicator") == "1" and
            wire.first(r180[0], "isup.called_partys_category_indicator") == "2" and
            wire.first(r180[0], "isup.inband_information_ind") in ("1", "True"), r180[:1])
    r183 = [m for m in to_ua if wire.first(m, "sip.Status-Code") == "183"]
    c.check(f"[{p}] S1 tshark: the exchange's CPG before answer reached the UA in a 183, unchanged (event 3, in-band)",
            len(r183) == 2 and wire.first(r183[0], "isup.message_type") == "44" and
            wire.first(r183[0], "isup.event_ind") == "3" and
            wire.first(r183[0], "isup.inband_information_ind") in ("1", "True"), r183[:1])
    c.check(f"[{p}] S1 tshark: the exchange's USR before answer reached the unanswered UA in a 183 (not an "
            "INFO), unchanged (112233)",
            len(r183) == 2 and wire.first(r183[1], "isup.message_type") == "45" and
            wire.first(r183[1], "isup.user_to_user_info").replace(":", "") == "112233", r183[1:])
    r200 = [m for m in to_ua if wire.first(m, "sip.Status-Code") == "200" and wire.first(m, "sip.CSeq.method") ==
            "INVITE"]
    c.check(f"[{p}] S1 tshark: the 200 to the UA carries the exchange's ANM (connected number 4935555999, BCI)",
            len(r200) >= 1 and wire.first(r200[0], "isup.message_type") == "9" and "4935555999" in r200[0]["text"] and
            wire.first(r200[0], "isup.charge_indicator") == "1", r200[:1])
    infos = [m for m in to_ua if wire.first(m, "sip.Method") == "INFO"]
    c.check(f"[{p}] S1 tshark: CPG/USR/FAC/SUS/RES from the exchange reached the UA as INFO, unchanged",
            [wire.first(m, "isup.message_type") for m in infos] == ["44", "45", "51", "13", "14"] and
            info_contents(infos), infos)
    bye = [m for m in to_ua if wire.first(m, "sip.Method") == "BYE"]
    c.check(f"[{p}] S1 tshark: the BYE to the UA carries REL cause 16 location U (0)",
            len(bye) == 1 and wire.first(bye[0], "isup.cause_indicator") == "16" and
            wire.cause_location(bye[0]) == "0", bye)
    iam = [m for m in r.isup if m["direction"] == "from" and wire.first(m, "isup.message_type") == "1"]
    c.check(f"[{p}] S1 tshark: the IAM without PAI has no calling party number and the From as generic number "
            "'additional calling party number', 'user provided, not verified'",
            iam and "Calling party number" not in iam[0]["text"] and
            "additional calling party number" in iam[0]["text"] and "user provided, not verified" in iam[0]["text"],
            iam[0]["text"][-1500:] if iam else "no IAM")
    c.check(f"[{p}] S2 tshark: the IAM with PAI has a calling party number 'network provided'",
            len(iam) >= 2 and "Screening indicator: network provided" in iam[1]["text"] and
            "307 77".replace(" ", "") in iam[1]["text"].replace(" ", ""), iam[1]["text"][-1500:] if len(iam) > 1 else "")
    s2 = [m for n in r.calls if n.startswith("S2") for m in r.sip_of(n)]
    r200 = [m for m in s2 if wire.first(m, "sip.Status-Code") == "200" and wire.first(m, "sip.CSeq.method") ==
            "INVITE"]
    c.check(f"[{p}] S2 tshark: the exchange's CON reached the UA unchanged in the 200 (charge (2), payphone (2), "
            "connected number)",
            r200 and wire.first(r200[0], "isup.message_type") == "7" and "4935555999" in r200[0]["text"] and
            wire.first(r200[0], "isup.charge_indicator") == "2" and
            wire.first(r200[0], "isup.called_partys_category_indicator") == "2", r200[:1])
    for name, (status, cause, loc) in getattr(r, "expected_finals", {}).items():
        fins = [m for m in r.sip_of(name) if wire.first(m, "sip.Status-Code") == str(status)]
        c.check(f"[{p}] {name}: tshark reads {status} with a REL cause {cause} location {loc}",
                len(fins) == 1 and wire.first(fins[0], "isup.cause_indicator") == str(cause) and
                wire.cause_location(fins[0]) == str(loc),
                [(wire.first(m, "sip.Status-Code"), m.get("isup.cause_indicator"), wire.cause_location(m))
                 for m in r.sip_of(name)])


PROFILES = os.environ.get("SIPT_PROFILES", "sip_i,sip_t,sip").split(",")
for profile, cases in (("sip_i", (isup_to_sip_cases, sip_to_isup_cases)),
                       ("sip_t", (isup_to_sip_cases, sip_to_isup_cases)),
                       ("sip", (plain_cases,))):
    if profile not in PROFILES:
        continue
    run_ = None
    try:
        run_ = Run(profile)
        for fn in cases:
            fn(run_)
        run_.finish()
        check_run(run_)
    except Exception:  # noqa: BLE001
        c.check(f"[{profile}] run completes", False, traceback.format_exc())
    finally:
        if run_:
            if os.environ.get("SIPT_KEEP"):
                print("pcap kept:", run_.cap.path)
            else:
                run_.cleanup()
c.finish()

"""Issue 20: ANSI number portability (North American LNP) through the running daemon, both directions, and
routes on the LRN. RFC 4694 1 describes the ISUP practice the gateway follows (rows: mapping/np_ansi.h, unit
tests tests/unit/mapping/np_ansi_test.cpp): after the dip the location routing number (LRN) is in the called
party number, the dialled number in the generic address parameter (T1.113, 0xC0) with type of address
"ported number" (0xC0), and the forward call indicators' ported number translation indicator (PNTI) set;
SIP side RFC 4694 4 rn / npdi on the Request-URI.

`isupgw run`, one ANSI trunk group `tg` (OPC 100, DPC 200) over M3UA/TCP to isup-peer --variant ansi, SIP
trunks with number plan country code 1: `np` (a SIPp UAS), `plain` (nobody listens), `uac` (a SIPp UAC).
Routes: from tg prefix 202 -> plain; from tg rn_prefix 202544 -> np; from uac rn_prefix 202544 -> tg; from uac
nothing else.
 A. ISUP -> SIP: isup-peer's IAM for CdPN 2025440000 (the LRN), GAP ported number 2025331234, PNTI set. The
    route with rn_prefix 202544 wins over prefix 202 (the dialled number): SIPp on `np` must get a Request-URI
    ...+12025331234;npdi;rn=+12025440000@ (its ereg check_it), answers, hangs up (isup-peer: ACM, ANM, REL 16).
 B. SIP -> ISUP: SIPp on `uac` calls +1-202-533-1234;npdi;rn=+1-202-544-0000; no route exists for 202533...
    but the rn_prefix route goes to tg: isup-peer expects the IAM with CdPN 2025440000F and the GAP octets
    (c0 03 10 02 52 33 21 43: type 0xC0, even, NAI 3, NPI 1, BCD 2025331234, T1.113 3 generic address),
    refuses it with REL 17; SIPp must get 486.
 C. The same number without rn: no route, 404 (cause 3).
JIP (T1.113.3 0xC4, NPA-NXX): A's IAM carries JIP 202555, SIPp checks the PAI <sip:+12025550100;jip=202555@...>
(the form Ribbon SBC Core documents, mapping/jip_map.h; a vendor practice, not a standard); B's INVITE has that
PAI and isup-peer expects JIP octets 02 52 55 in the IAM.
Verdicts: SIPp's exit codes, isup-peer's scenario result, and tshark's decode of the M3UA wire with
`-o mtp3.standard:ANSI` (the gateway's IAM: called number the LRN, generic address 2025331234 with qualifier
0xC0, PNTI 1, no ITU 0x84 / 0x8D; nothing the gateway sent malformed)."""
import os
import re
import subprocess
import tempfile
from xml.sax.saxutils import escape as xml_escape

import sipt_wire as wire
from calltest import SIPP, IsupPeer, circuits_idle, free_ports_at, scenario_copy, sip_port, wait_uas
from harness import Checks, Daemon, wait_port

ADDR = "127.0.0.105"  # this test's address (ansi2's)
c = Checks()
if not os.path.exists(SIPP):
    c.skip("sipp not installed")
if not wire.available():
    c.skip("tshark and text2pcap not installed (the oracle of this test)")


PN, PP, PU = free_ports_at(ADDR, 3)


def scen(name, replace=(), **subst):
    return scenario_copy(name, prefix="sipp-ansi-lnp-", replace=replace, **subst)


def sipp(path, port, extra=()):
    return [SIPP, "-sf", path, "-i", ADDR, "-p", str(port), "-m", "1", "-nostdin", "-timeout", "20",
            "-timeout_error", "-max_recv_loops", "1000"] + list(extra)


PLAN = 'number_plan: {country_code: "1"}'
CONFIG = f"""
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks:
    - {{name: np, address: {ADDR}, port: {PN}, allowed_sources: ["192.0.2.1"], {PLAN}}}
    - {{name: plain, address: {ADDR}, port: {PP}, allowed_sources: ["192.0.2.2"], {PLAN}}}
    - {{name: uac, address: {ADDR}, port: {PU}, allowed_sources: ["{ADDR}"], {PLAN}}}
ss7:
  point_code_format: decimal
  m3ua_links: [{{name: exch, role: ipsp_server, transport: tcp, local: {{address: {ADDR}, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 200, links: [exch]}}]
  trunk_groups: [{{name: tg, opc: 100, dpc: 200, cics: ["1-31"], variant: ansi}}]
routes:
  - {{prefix: "202", from: tg, targets: [{{sip_trunk: plain}}]}}
  - {{prefix: "", rn_prefix: "202544", from: tg, targets: [{{sip_trunk: np}}]}}
  - {{prefix: "", rn_prefix: "202544", from: uac, targets: [{{trunk_group: tg}}]}}
"""
# FCI (T1.113 3.23 as Q.763 3.23): octet 1 0x20 ISUP all the way; octet 2 0x10 the ported number translation
# indicator (bit E), "number translated". GAP: type 0xC0 ported number, 0x03 even / NAI 3 national, 0x10 NPI 1,
# BCD 2025331234.
GAP = "c003100252332143"
SCRIPT = f"""
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
# A: ISUP -> SIP, a ported number after the dip.
send   IAM cic=2 called=2025440000F calling=2025550100 forward_call_indicators=2010 generic_address={GAP} jurisdiction_information=025255
expect ACM cic=2 timeout=10s
expect ANM cic=2 timeout=10s
expect REL cic=2 cause=16 timeout=10s
send   RLC cic=2
# B: SIP -> ISUP, the LRN in the called number, the dialled number in the GAP.
expect IAM cic=1 called=2025440000F generic_address={GAP} jurisdiction_information=025255 timeout=15s
send   REL cic=1 cause=17
expect RLC cic=1
"""
RURI = r"INVITE sip:\+12025331234;npdi;rn=\+12025440000@"
PAI_JIP = r"sip:\+12025550100;jip=202555@"  # the IAM's JIP 202555 in the PAI's user part (mapping/jip_map.h)

d = Daemon(CONFIG)
gw_sip = sip_port(d)
line = d.wait_for(rf"m3ua listening link=exch transport=tcp address={re.escape(ADDR)} port=(\d+)")
m3 = int(re.search(r"port=(\d+)", line).group(1)) if line else 9
cap = wire.Capture(udp_ports=[PN, PP, PU], tcp_ports=[m3])
peer = None
paths = []
try:
    anchor = '<ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="contact"/>'
    uas = scen("uas_bye.xml", replace=[
        (anchor, anchor + f'\n      <ereg regexp="{xml_escape(RURI, {chr(34): "&quot;"})}" search_in="msg" '
                          'check_it="true" assign_to="ruri"/>'),
        (anchor, anchor + f'\n      <ereg regexp="{xml_escape(PAI_JIP, {chr(34): "&quot;"})}" search_in="hdr" '
                          'header="P-Asserted-Identity:" check_it="true" assign_to="pai"/>'),
        ("</recv>", "</recv>\n  <Reference variables=\"ruri,pai\"/>")])
    paths.append(uas)
    p = subprocess.Popen(sipp(uas, PN), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         cwd=tempfile.gettempdir())
    wait_port(PN, "udp")
    peer = IsupPeer(SCRIPT, m3, timeout=40, host=ADDR, args=["--variant", "ansi"])
    rc = wait_uas(p)
    c.check("A: ISUP -> SIP routed on the LRN (rn_prefix 202544 over prefix 202); SIPp finds "
            ";npdi;rn=+12025440000 on the Request-URI of +12025331234 and jip=202555 in the PAI's user part, "
            "answers and hangs up",
            rc == 0, (p.stderr.read() if p.stderr else "")[-800:] + "\n".join(d.lines[-10:]))
    # B: SIP -> ISUP.
    inv = "INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0"
    uac = scen("uac_expect.xml", STATUS="486", replace=[
        (inv, inv.replace(" SIP/2.0", ";user=phone SIP/2.0")),
        ("      Max-Forwards: 70\n", "      Max-Forwards: 70\n"
         "      P-Asserted-Identity: <sip:+12025550100;jip=202555@[local_ip];user=phone>\n")])
    paths.append(uac)
    r = subprocess.run(sipp(uac, PU, ["-s", "+12025331234;npdi;rn=+1-202-544-0000", f"127.0.0.1:{gw_sip}"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=40,
                       cwd=tempfile.gettempdir())
    c.check("B: SIP -> ISUP routed on the rn (no route for 202533...); isup-peer's REL 17 reaches SIPp as 486",
            r.returncode == 0, r.stderr[-800:] + "\n".join(d.lines[-10:]))
    ok = peer.join(45)
    c.check("isup-peer's expectations pass (A: ACM, ANM, REL 16; B: IAM with CdPN 2025440000F and the GAP "
            "ported number 2025331234, JIP 02 52 55)", ok, peer.output()[-1500:] + "\n".join(d.lines[-10:]))
    uac404 = scen("uac_expect.xml", STATUS="404", replace=[(inv, inv.replace(" SIP/2.0", ";user=phone SIP/2.0"))])
    paths.append(uac404)
    r = subprocess.run(sipp(uac404, PU, ["-s", "+12025331234", f"127.0.0.1:{gw_sip}"]), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=40, cwd=tempfile.gettempdir())
    c.check("C: the same number without rn has no route: 404 (cause 3)", r.returncode == 0, r.stderr[-800:])
finally:
    cap.stop()
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    ok, lines = circuits_idle(d)
    c.check("every circuit idle at stop", ok, lines)
    if peer:
        peer.cleanup()
    for path in paths:
        os.unlink(path)

try:
    msgs = [(dn, m) for dn, m in wire.m3ua_messages(cap.path, m3) if m[2] == 1 and m[3] == 1]
    txt = os.path.join(os.path.dirname(cap.path), "ansi-lnp.txt")
    pcap = os.path.join(os.path.dirname(cap.path), "ansi-lnp.pcap")
    with open(txt, "w") as f:
        for _, m in msgs:
            f.write("0000 " + " ".join(f"{x:02x}" for x in m) + "\n\n")
    subprocess.run(["text2pcap", "-q", "-S", "2905,2905,3", txt, pcap], capture_output=True, timeout=60)
    rows = wire._fields(pcap, ["isup.message_type", "isup.cic", "isup.called", "isup.generic_number", "isup.jurisdiction",
                               "isup.number_qualifier_indicator", "isup.forw_call_ported_num_trans_indicator",
                               "isup.parameter_type", "_ws.malformed", "_ws.expert.severity"],
                        ["-o", "mtp3.standard:ANSI"])
    for row, (dn, _) in zip(rows, msgs):
        row["direction"] = dn
    iams = [r for r in rows if wire.first(r, "isup.message_type") == "1"]
    out = [r for r in iams if r["direction"] == "from"]
    c.check("tshark: the gateway's IAM -- called number 2025440000F (the LRN), generic address 2025331234 with "
            "qualifier 0xc0 (ported number), PNTI 1 (number translated)",
            len(out) == 1 and wire.first(out[0], "isup.called") == "2025440000F"
            and wire.first(out[0], "isup.generic_number") == "2025331234"
            and wire.first(out[0], "isup.number_qualifier_indicator") == "192"
            and wire.first(out[0], "isup.forw_call_ported_num_trans_indicator") == "1", out)
    c.check("tshark: the gateway's IAM carries the JIP 202555 from the INVITE's PAI ;jip=202555",
            len(out) == 1 and wire.first(out[0], "isup.jurisdiction") == "202555", out)
    c.check("tshark: no ITU network routing number (0x84) or NP forward information (0x8D) in that IAM",
            len(out) == 1 and not ({"132", "141"} & {str(int(v, 0)) for v in out[0]["isup.parameter_type"]}),
            out)
    inc = [r for r in iams if r["direction"] == "to"]
    c.check("tshark: isup-peer's IAM -- called 2025440000F, generic address 2025331234 (0xc0), PNTI 1, JIP 202555",
            len(inc) == 1 and wire.first(inc[0], "isup.called") == "2025440000F"
            and wire.first(inc[0], "isup.jurisdiction") == "202555"
            and wire.first(inc[0], "isup.generic_number") == "2025331234"
            and wire.first(inc[0], "isup.forw_call_ported_num_trans_indicator") == "1", inc)
    mine = [r for r in rows if r["direction"] == "from"]
    bad = [r for r in mine if r["_ws.malformed"] or any(int(v) >= 0x800000 for v in r["_ws.expert.severity"])]
    c.check("tshark decodes every ISUP message the gateway sent, none malformed or in error", mine and not bad,
            (len(mine), bad[:3]))
    sip = wire._fields(cap.path, ["sip.Method", "udp.dstport", "_ws.malformed"],
                       ["-d", f"udp.port=={PN},sip", "-d", f"udp.port=={PP},sip", "-d", f"udp.port=={PU},sip",
                        "-Y", "sip"])
    c.check("tshark: nothing sent to trunk plain (prefix 202 lost to rn_prefix 202544)",
            not any(m["udp.dstport"] == [str(PP)] for m in sip), sip)
    c.check("tshark: no SIP message malformed", bool(sip) and not any(m["_ws.malformed"] for m in sip),
            [m for m in sip if m["_ws.malformed"]])
finally:
    cap.cleanup()
    d.cleanup()
c.finish()

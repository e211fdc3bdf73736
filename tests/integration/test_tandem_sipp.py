"""The tandem with SIPp at both ends: SIPp UAC -> gateway A (SIP) -> ISUP over
M3UA/TCP -> gateway B -> SIP -> SIPp UAS, ephemeral ports everywhere (the same
topology as conf/tandem-a.yaml / tandem-b.yaml). Basic call, callee BYE, busy
(486 -> cause 17 -> 486), unallocated (404 -> 1 -> 404), CANCEL, early media with
PRACK (reliable 183 with SDP -> ACM in-band -> reliable 183 with SDP). B's
trunk to the UAS is SIP-I: tshark, capturing on lo, decodes the REL that every
BYE towards the UAS encapsulates (Q.1912.5 / RFC 3372: REL -> BYE) with the
caller's cause, and finds no ISUP in the CANCEL. After the calls both gateways
stop with every circuit idle."""
import os
import shutil
import subprocess
import tempfile

from calltest import circuits_idle, free_port, m3ua_port, scenario, sip_port, uac, uas, wait_circuits_reset, wait_uas
from harness import Capture, Checks, Daemon

UAS_PORT = free_port()

B = f"""
node: {{name: gw-b}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callee, address: 127.0.0.1, port: {UAS_PORT}, profile: sip_i}}]
ss7:
  point_code_format: itu
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]}}]
routes:
  - {{prefix: "", from: b-a, targets: [{{sip_trunk: callee}}]}}
"""

A = """
node: {{name: gw-a}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
ss7:
  point_code_format: itu
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}}]
routes:
  - {{prefix: "", from: callers, targets: [{{trunk_group: a-b}}]}}
"""

CASES = [
    # name, UAS scenario, UAC scenario, status for @STATUS@
    ("basic call, caller BYE", "sn:uas", "sn:uac", None),
    ("callee BYE", "uas_bye.xml", "uac_wait_bye.xml", None),
    ("busy: 486 -> cause 17 -> 486", "uas_486.xml", "uac_486.xml", None),
    ("unallocated: 404 -> cause 1 -> 404", "uas_reject.xml", "uac_expect.xml", 404),
    ("CANCEL before answer", "uas_cancel.xml", "uac_cancel.xml", None),
    ("early media + PRACK (reliable 183 with SDP both sides)", "uas_100rel.xml", "uac_100rel.xml", None),
]



def start_capture(port):
    """dumpcap on lo for the UDP traffic of `port` (the SIP-I UAS)."""
    path = os.path.join(tempfile.mkdtemp(prefix="tandem-"), "uas.pcap")
    return Capture(path, f"udp port {port}", ("127.0.0.1", port)), path


def sip_requests_to(path, port):
    """(method, ISUP message type, Q.850 cause, malformed) per SIP request sent to `port`."""
    r = subprocess.run(["tshark", "-n", "-r", path, "-d", f"udp.port=={port},sip", "-Y",
                        f"sip.Method && udp.dstport=={port}", "-T", "fields", "-E", "separator=|", "-E",
                        "occurrence=f", "-e", "sip.Method", "-e", "isup.message_type", "-e", "isup.cause_indicator",
                        "-e", "_ws.malformed"], capture_output=True, text=True, timeout=60)
    return [tuple((line.split("|") + [""] * 4)[:4]) for line in r.stdout.splitlines()]


c = Checks()
b = Daemon(B)
a = None
cap, pcap = None, None
try:
    port = m3ua_port(b, "from-a")
    a = Daemon(A.format(port=port))
    a_sip = sip_port(a)
    c.check("A and B link up, circuits reset", wait_circuits_reset(a) and wait_circuits_reset(b), a.lines[-10:])
    cap, pcap = start_capture(UAS_PORT)
    c.check("dumpcap captures the UAS's port", cap.started)
    for name, uas_scen, uac_scen, status in CASES:
        srv = uas(scenario(uas_scen[3:] if False else uas_scen, status) if not uas_scen.startswith("sn:") else uas_scen,
                  UAS_PORT)
        rc, err = uac(scenario(uac_scen, status) if not uac_scen.startswith("sn:") else uac_scen, a_sip)
        src = wait_uas(srv)
        c.check(f"{name}: UAC passes", rc == 0, err[-600:] + "\n".join(a.lines[-8:] + b.lines[-8:]))
        c.check(f"{name}: UAS passes", src == 0, (srv.stderr.read() if srv.stderr else "")[-600:])
    c.check("B saw cause 17 from the 486", any("cause=17" in l and "b_failed" in l for l in b.lines))
    c.check("A answered 486 from cause 17", any("cause=17" in l and "b_failed" in l for l in a.lines))
    c.check("A: 404 from cause 1", any("cause=1 " in l + " " and "b_failed" in l for l in a.lines))
    c.check("tshark: capture of the UAS's SIP complete", cap.stop(), pcap)
    cap = None
    reqs = sip_requests_to(pcap, UAS_PORT)
    byes = [r for r in reqs if r[0] == "BYE"]
    cancels = [r for r in reqs if r[0] == "CANCEL"]
    # Caller BYE and the PRACK call: A's REL (cause 16) becomes B's SIP-I BYE with the REL inside.
    c.check(f"tshark: the SIP-I BYEs to the UAS ({len(byes)}) carry an ISUP REL (type 12) with cause 16",
            len(byes) >= 2 and all(r[1] == "12" and r[2] == "16" and not r[3] for r in byes), reqs)
    c.check("tshark: the CANCEL to the UAS carries no ISUP body",
            len(cancels) == 1 and not cancels[0][1] and not cancels[0][3], reqs)
    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop()
        c.check(f"{name} stops cleanly", rc == 0, rc)
        ok, lines = circuits_idle(d)
        c.check(f"{name}: every circuit idle at stop", ok, lines)
finally:
    if cap:
        cap.stop(0)
    if pcap:
        shutil.rmtree(os.path.dirname(pcap), ignore_errors=True)
    if a:
        a.cleanup()
    b.cleanup()
c.finish()

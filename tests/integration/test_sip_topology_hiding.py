"""Topology hiding towards a trunk (issue 18) and requests without Call-ID or CSeq (RFC 4475 3.1.2.18).

Tandem on addresses of its own: SIPp UAC (127.0.0.83) -> gateway A (SIP on 127.0.0.83, sip.user_agent
"carrier-gw") -> ISUP over M3UA/TCP (127.0.0.83) -> gateway B (SIP on 127.0.0.84) -> trunk `callee` with
topology_hiding: true -> SIPp UAS (127.0.0.84). tshark on lo is the oracle: no header B sent to the UAS
names the ISUP side (127.0.0.83), a node name (gw-a, gw-b), A's leg's Call-ID or B's software (no
User-Agent/Server), and its Call-IDs carry no "@host"; A's answers to the UAC name nothing of B's side and
carry the configured Server: carrier-gw (not the node name).

Then raw datagrams from the trunk's address to B: a request without Call-ID and one without CSeq are each
answered 400 with a Warning (its agent the pseudonym "isupgw" towards the hidden trunk, no Server), a request
without Via is not answered (nowhere to send it, RFC 3261 18.2.2) and is counted
(sip.rx.bad_requests_unanswered via the management API: our own count, the only view of a drop)."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from calltest import circuits_idle, free_port, sipp_args, wait_circuits_reset, wait_uas
from harness import Capture, Checks, Daemon, wait_port
from mgmtapi import api_url, request

NEAR, FAR = "127.0.0.83", "127.0.0.84"  # A's side (SIPp UAC, A, the M3UA link), B's trunk side
UAS_PORT, UAC_PORT = free_port(), free_port()
CALLS = 2

B = f"""
node: {{name: gw-b}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: {FAR}, port: 0}}]
  trunks: [{{name: callee, address: {FAR}, port: {UAS_PORT}, topology_hiding: true}}]
ss7:
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: {NEAR}, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]}}]
routes: [{{prefix: "", from: b-a, targets: [{{sip_trunk: callee}}]}}]
management:
  listen: {{address: 127.0.0.1, port: 0}}
"""
A = """
node: {{name: gw-a}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: {near}, port: 0}}]
  trunks: [{{name: callers, address: {near}, allowed_sources: ["{near}/32"]}}]
  user_agent: carrier-gw
ss7:
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: {near}, port: {port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}}]
routes: [{{prefix: "", from: callers, targets: [{{trunk_group: a-b}}]}}]
"""


def port_of(d, pattern):
    line = d.wait_for(pattern, 15)
    return int(re.search(r"port=(\d+)", line).group(1)) if line else 9


def sip_messages(path):
    """(src, dst port, Call-ID, header block) of every SIP message, decoded by tshark."""
    r = subprocess.run(["tshark", "-n", "-r", path, "-d", f"udp.port=={UAS_PORT},sip", "-d",
                        f"udp.port=={UAC_PORT},sip", "-Y", "sip", "-T", "fields", "-E", "separator=|", "-E",
                        "occurrence=f", "-e", "ip.src", "-e", "udp.dstport", "-e", "sip.Call-ID", "-e",
                        "sip.msg_hdr"], capture_output=True, text=True, timeout=60)
    return [tuple((l.split("|", 3) + [""] * 4)[:4]) for l in r.stdout.splitlines()]


def raw(sock, to, text):
    """One datagram to B; its answer (or None within 1.5 s)."""
    sock.sendto(text.replace("\n", "\r\n").encode(), to)
    sock.settimeout(1.5)
    try:
        return sock.recv(65535).decode(errors="replace")
    except socket.timeout:
        return None


c = Checks()
work = tempfile.mkdtemp(prefix="isupgw-th-")
b = Daemon(B)
a = srv = cap = None
try:
    a = Daemon(A.format(near=NEAR, port=port_of(b, rf"m3ua listening link=from-a transport=tcp address={re.escape(NEAR)} port=\d+")))
    a_sip = port_of(a, rf"sip listening transport=udp address={re.escape(NEAR)} port=\d+")
    b_sip = port_of(b, rf"sip listening transport=udp address={re.escape(FAR)} port=\d+")
    c.check("A and B link up, circuits reset", wait_circuits_reset(a) and wait_circuits_reset(b), a.lines[-10:])
    pcap = os.path.join(work, "sip.pcap")
    cap = Capture(pcap, f"udp port {UAS_PORT} or udp port {UAC_PORT}", (FAR, UAS_PORT))
    c.check("dumpcap captures both SIPp ports", cap.started)
    srv = subprocess.Popen(sipp_args("sn:uas", UAS_PORT, ["-m", str(CALLS), "-i", FAR]), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, cwd=work)
    wait_port(UAS_PORT)
    r = subprocess.run(sipp_args("sn:uac", UAC_PORT, ["-s", "4930123456", "-m", str(CALLS), "-d", "200", "-i", NEAR]) +
                       [f"{NEAR}:{a_sip}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=60, cwd=work)
    c.check(f"{CALLS} calls SIPp -> A -> ISUP -> B -> SIPp: UAC passes", r.returncode == 0,
            r.stderr[-600:] + "\n".join(a.lines[-8:] + b.lines[-8:]))
    c.check("... UAS passes", wait_uas(srv) == 0, (srv.stderr.read() if srv.stderr else "")[-600:])
    srv = None
    c.check("tshark: capture complete", cap.stop(), pcap)
    cap = None
    msgs = sip_messages(pcap)
    to_uas = [m for m in msgs if m[0] == FAR and m[1] == str(UAS_PORT)]
    to_uac = [m for m in msgs if m[0] == NEAR and m[1] == str(UAC_PORT)]
    a_call_ids = {m[2] for m in msgs if m[1] == str(a_sip)}
    b_call_ids = {m[2] for m in msgs if m[1] == str(UAS_PORT) or m[0] == FAR}
    c.check(f"tshark: B sent the UAS {len(to_uas)} messages, A the UAC {len(to_uac)} (INVITE, ACK, BYE, answers)",
            len(to_uas) >= 3 * CALLS and len(to_uac) >= 3 * CALLS and a_call_ids, msgs[:6])
    leak_b = [m[3] for m in to_uas if NEAR in m[3] or "gw-a" in m[3] or "gw-b" in m[3] or
              "carrier-gw" in m[3] or any(i and i in m[3] for i in a_call_ids)]
    c.check(f"tshark: no header B sent the hidden trunk names {NEAR}, gw-a/gw-b or A's leg's Call-IDs", not leak_b,
            leak_b[:2])
    agent = [m[3] for m in to_uas if re.search(r"(?im)^(User-Agent|Server):", m[3].replace("\\r\\n", "\n"))]
    c.check("tshark: no User-Agent or Server header towards the hidden trunk", not agent, agent[:2])
    at = sorted({m[2] for m in to_uas if "@" in m[2]})
    c.check("tshark: B's Call-IDs towards the hidden trunk have no @host", not at and to_uas, at)
    leak_a = [m[3] for m in to_uac if FAR in m[3] or "gw-b" in m[3] or any(i and i in m[3] for i in b_call_ids)]
    c.check(f"tshark: no header A sent the UAC names {FAR}, gw-b or B's leg's Call-IDs", not leak_a, leak_a[:2])
    servers = {s for m in to_uac for s in re.findall(r"Server: ([^\\\r\n]+)", m[3])}
    c.check("tshark: A's answers carry the configured Server: carrier-gw (sip.user_agent), not the node name",
            servers == {"carrier-gw"}, servers)

    # RFC 4475 3.1.2.18 / RFC 3261 8.2.6, 18.2.2: from the trunk's own address.
    to = (FAR, b_sip)
    head = f"OPTIONS sip:b@{FAR} SIP/2.0\nVia: SIP/2.0/UDP {FAR}:{{p}};branch=z9hG4bK{{br}}\nMax-Forwards: 70\n" \
           f"From: <sip:t@{FAR}>;tag=t1\nTo: <sip:b@{FAR}>\n"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((FAR, 0))
        p = s.getsockname()[1]
        no_call_id = raw(s, to, head.format(p=p, br="nocid") + "CSeq: 7 OPTIONS\nContent-Length: 0\n\n")
        no_cseq = raw(s, to, head.format(p=p, br="nocseq") + "Call-ID: nocseq-1\nContent-Length: 0\n\n")
        no_via = raw(s, to, f"OPTIONS sip:b@{FAR} SIP/2.0\nMax-Forwards: 70\nFrom: <sip:t@{FAR}>;tag=t1\n"
                     f"To: <sip:b@{FAR}>\nCall-ID: novia-1\nCSeq: 7 OPTIONS\nContent-Length: 0\n\n")
    for name, resp, fault in (("no Call-ID", no_call_id, "missing Call-ID"), ("no CSeq", no_cseq, "missing CSeq")):
        c.check(f"a request with {name} is answered 400 with Warning 399 isupgw \"...{fault}\", no Server",
                resp is not None and resp.startswith("SIP/2.0 400 ") and
                re.search(rf'(?m)^Warning: 399 isupgw "[^"]*{fault}"', resp) is not None and
                re.search(r"(?mi)^Server:", resp) is None, resp)
    c.check("a request without Via is not answered", no_via is None, no_via)
    url = api_url(b)
    st, counters = request(url + "/counters") if url else (None, {})
    c.check("B counted it dropped (sip.rx.bad_requests_unanswered = 1; our own count)",
            st == 200 and counters.get("sip.rx.bad_requests_unanswered") == 1, counters if st == 200 else st)
    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop()
        c.check(f"{name} stops cleanly", rc == 0, rc)
        ok, lines = circuits_idle(d)
        c.check(f"{name}: every circuit idle at stop", ok, lines)
finally:
    if cap:
        cap.stop(0)
    if srv:
        srv.kill()
        srv.wait()
    for d in (a, b):
        if d:
            d.cleanup()
    shutil.rmtree(work, ignore_errors=True)
c.finish()

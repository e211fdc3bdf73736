"""RTP end to end through real osmo-mgw (issue 8): SIPp UAC -> gateway A -> ISUP
over M3UA/TCP -> gateway B -> SIPp UAS, both gateways controlling the same
osmo-mgw. The "TDM circuit" between them is one rtpbridge endpoint per CIC
("rtpbridge/{cic:x}@mgw"): A's connection (towards SIPp) and B's (towards the
far side) meet on the circuit's endpoint under the one MGCP Call-ID both
derive from the point codes and the CIC, so osmo-mgw bridges them.

SIPp plays the G.711 A-law pcap shipped with it; the UAS's answer names a UDP
port this test listens on. Checked: mid-call osmo-mgw's VTY shows both
connections on one endpoint; the RTP that arrives at our port comes from
osmo-mgw and carries the pcap's payloads in order; what we send back reaches
SIPp's media port from osmo-mgw (tshark capture on lo) with the same payloads.
A second call goes on hold mid-way (re-INVITE a=sendonly, later a=sendrecv):
A sends CPG "remote hold"/"remote retrieval", B re-INVITEs the far side, the
MG modes follow (A recvonly, B sendonly), so the caller's RTP still reaches
the far side while the far side's stops reaching the caller until retrieval.
Afterwards no connection is left and every circuit is idle."""
import os
import re
import shutil
import socket
import struct
import tempfile
import threading
import time

import osmomgw
from calltest import SCEN, free_port, m3ua_port, sip_port, uac, uas, wait_circuits_reset, wait_uas
from harness import Capture, Checks, Daemon

PCAP = "/usr/share/sip-tester/g711a.pcap"
ENDPOINTS = 32  # rtpbridge/1@mgw .. rtpbridge/20@mgw (hex), CICs 1-31


def udp_packets(path):
    """(src ip, src port, dst ip, dst port, UDP payload) of every IPv4/UDP packet in a pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    link_len = {1: 14, 113: 16, 276: 20}.get(linktype, 14)
    out, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = frame[link_len:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        udp = ip[ihl:]
        sport, dport, ulen = struct.unpack(">HHH", udp[:6])
        out.append((socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]), dport, udp[8:ulen]))
    return out


def rtp_payload(pkt):
    """RFC 3550 5.1: the payload after the fixed header, CSRCs, extension; padding stripped."""
    if len(pkt) < 12 or pkt[0] >> 6 != 2:
        return None
    off = 12 + 4 * (pkt[0] & 15)
    if pkt[0] & 0x10:
        off += 4 + 4 * struct.unpack(">H", pkt[off + 2:off + 4])[0]
    end = len(pkt) - (pkt[-1] if pkt[0] & 0x20 else 0)
    return pkt[off:end]


def in_order(sent, got):
    """True if `got` is `sent` from some offset on, in order, possibly with packets missing."""
    i = 0
    for g in got:
        while i < len(sent) and sent[i] != g:
            i += 1
        if i == len(sent):
            return False
        i += 1
    return True


def substituted(name, values):
    with open(os.path.join(SCEN, name)) as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace("@%s@" % k, str(v))
    fd, tmp = tempfile.mkstemp(prefix="sipp-", suffix=".xml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return tmp


class Sink:
    """The far side's RTP: records what arrives and sends each payload back to where it came from."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received = []  # (source, datagram)
        self.echoed = []  # payloads sent back
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        seq, ts, ssrc = 1000, 8000, 0x15DB0008
        while not self.stop:
            try:
                data, src = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            self.received.append((src, data))
            payload = rtp_payload(data)
            if payload is None:
                continue
            self.sock.sendto(struct.pack(">BBHII", 0x80, 8, seq & 0xFFFF, ts, ssrc) + payload, src)
            self.echoed.append(payload)
            seq += 1
            ts += len(payload)

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


c = Checks()
have = shutil.which("osmo-mgw") and shutil.which("tshark") and os.path.exists(PCAP)
c.check("osmo-mgw, tshark and SIPp's g711a.pcap installed", have)
if not have:
    c.finish()
sent = [rtp_payload(p[4]) for p in udp_packets(PCAP)]
sent = [p for p in sent if p]
c.check(f"the pcap SIPp plays holds RTP ({len(sent)} packets)", len(sent) > 100, len(sent))

mgw, addr, mport, work, log_path = osmomgw.start(ENDPOINTS)
a = b = None
try:
    c.check("osmo-mgw up", osmomgw.mgcp_answers(addr, mport), open(log_path).read()[-2000:])
    MG = f"""media_gateways:
  - {{name: mgw, address: {{address: {addr}, port: {mport}}}, local: {{address: {addr}}}, keepalive_ms: 2000}}"""
    UAS_PORT = free_port()
    b = Daemon(f"""
node: {{name: gw-b}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callee, address: 127.0.0.1, port: {UAS_PORT}}}]
{MG}
ss7:
  point_code_format: itu
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"], media_gateway: mgw,
                  endpoints: "rtpbridge/{{cic:x}}@mgw"}}]
routes:
  - {{prefix: "", from: b-a, targets: [{{sip_trunk: callee}}]}}
""")
    port = m3ua_port(b, "from-a")
    a = Daemon(f"""
node: {{name: gw-a}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
{MG}
ss7:
  point_code_format: itu
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"], media_gateway: mgw,
                  endpoints: "rtpbridge/{{cic:x}}@mgw"}}]
routes:
  - {{prefix: "", from: callers, targets: [{{trunk_group: a-b}}]}}
""")
    a_sip = sip_port(a)
    c.check("A and B link up, circuits reset", wait_circuits_reset(a) and wait_circuits_reset(b), a.lines[-10:])


    def call(uac_name, uas_name, values):
        """One call with the far side's RTP at a Sink and a capture of osmo-mgw's RTP on lo."""
        sink = Sink()
        media_port = free_port()
        cap_path = os.path.join(work, "lo-%s.pcap" % uac_name)
        # The marker datagram goes to osmo-mgw's address on the discard port: inside the filter, outside the checks.
        cap = Capture(cap_path, f"udp and host {addr} and not port {mport}", (addr, 9))
        try:
            c.check("dumpcap captures osmo-mgw's RTP", cap.started)
            srv = uas(substituted(uas_name, {"RTP_IP": "127.0.0.1", "RTP_PORT": sink.port}), UAS_PORT)
            mid, ended = {}, threading.Event()

            def look_mid_call():
                # osmo-mgw's VTY, polled while the call runs, until both gateways' connections are on one endpoint.
                while not ended.is_set():
                    mid["show"] = osmomgw.vty(addr, "show mgcp")
                    if one_endpoint(mid["show"]):
                        return
                    ended.wait(0.2)

            t = threading.Thread(target=look_mid_call)
            t.start()
            t0 = time.monotonic()
            rc, err = uac(substituted(uac_name, dict(values, PCAP=PCAP)), a_sip, extra=["-mp", str(media_port)])
            call_s = time.monotonic() - t0
            ended.set()
            t.join()
            src = wait_uas(srv)
            uas_err = (srv.stderr.read() if srv.stderr else "")[-600:]
        finally:
            sink.close()
            c.check("capture of osmo-mgw's RTP complete", cap.stop(), cap_path)
        # (osmo-mgw also sends a one-byte "dummy packet" when a connection learns its remote address.)
        got = [(s, rtp_payload(d)) for s, d in sink.received if rtp_payload(d) is not None]
        back = [rtp_payload(p[4]) for p in udp_packets(cap_path)
                if p[0] == addr and p[2] == "127.0.0.1" and p[3] == media_port and rtp_payload(p[4]) is not None]
        return dict(rc=rc, err=err, src=src, uas_err=uas_err, call_s=call_s, show=mid.get("show", ""),
                    from_mgw=[p for s, p in got if s[0] == addr], got=got, echoed=sink.echoed, back=back)

    def one_endpoint(show):
        conns = re.findall(r"endpoint (rtpbridge/\w+@mgw):\s+Availability: \w+\s+((?:CONN: .*\s+)+)", show)
        two = [(ep, re.findall(r"CONN: \((\w+)/rtp", block)) for ep, block in conns]
        return len(two) == 1 and len(two[0][1]) == 2 and two[0][1][0] == two[0][1][1]

    # 1. A plain call: both directions carried all along.
    play_ms = 7500  # the pcap lasts 7.05 s
    r = call("uac_rtp.xml", "uas_rtp.xml", {"PLAY_MS": play_ms})
    c.check("UAC: call answered, pcap played, BYE", r["rc"] == 0,
            r["err"][-600:] + "\n".join(a.lines[-8:] + b.lines[-8:]))
    c.check("UAS (the far side) passes", r["src"] == 0, r["uas_err"])
    # Both gateways' connections on the circuit's endpoint, one Call-ID (osmo-mgw bridges them).
    c.check("mid-call: both gateways' connections on one rtpbridge endpoint, same Call-ID", one_endpoint(r["show"]),
            r["show"][-1500:])
    from_mgw, back = r["from_mgw"], r["back"]
    c.check(f"far side: RTP arrived from osmo-mgw ({len(from_mgw)} of {len(sent)} packets played)",
            len(from_mgw) >= 0.9 * len(sent) and len(from_mgw) == len(r["got"]), (len(from_mgw), len(r["got"])))
    c.check(f"far side: payloads are the pcap's, in order ({sum(map(len, from_mgw))} bytes)",
            bool(from_mgw) and in_order(sent, from_mgw))
    c.check(f"caller side: the far side's RTP reached SIPp's media port from osmo-mgw "
            f"({len(back)} of {len(r['echoed'])} sent back)", len(back) >= 0.9 * len(r["echoed"]) > 0,
            (len(back), len(r["echoed"])))
    c.check(f"caller side: payloads are what the far side sent, in order ({sum(map(len, back))} bytes)",
            bool(back) and in_order(r["echoed"], back))
    c.check(f"call with {play_ms} ms of media took {r['call_s']:.1f} s", r["call_s"] < 20, r["call_s"])

    # 2. Hold from SIP while the pcap plays (Q.1912.5: re-INVITE a=sendonly -> CPG remote hold -> re-INVITE
    # a=sendonly on the far side): A's connection turns recvonly, B's sendonly, so the caller's RTP still
    # reaches the far side but nothing comes back until the retrieval.
    hold_at, hold_ms = 2000, 2500
    r = call("uac_rtp_hold.xml", "uas_rtp_hold.xml",
             {"HOLD_AT_MS": hold_at, "HOLD_MS": hold_ms, "AFTER_MS": play_ms - hold_at - hold_ms})
    c.check("hold: UAC (re-INVITE sendonly answered recvonly, then sendrecv answered sendrecv) passes", r["rc"] == 0,
            r["err"][-600:] + "\n".join(a.lines[-8:] + b.lines[-8:]))
    c.check("hold: the far side got re-INVITEs offering a=sendonly then a=sendrecv", r["src"] == 0, r["uas_err"])
    c.check("hold: A logged hold/retrieve by SIP, B by ISUP (CPG remote hold/retrieval)",
            any(" hold " in l and "by=sip" in l for l in a.lines) and
            any(" retrieve " in l and "by=sip" in l for l in a.lines) and
            any(" hold " in l and "by=isup" in l for l in b.lines) and
            any(" retrieve " in l and "by=isup" in l for l in b.lines),
            [l for l in a.lines + b.lines if " hold " in l or " retrieve " in l])
    from_mgw, back, echoed = r["from_mgw"], r["back"], r["echoed"]
    c.check(f"hold: the caller's RTP reached the far side throughout ({len(from_mgw)} of {len(sent)})",
            len(from_mgw) >= 0.9 * len(sent) and in_order(sent, from_mgw), len(from_mgw))
    # Which of the far side's packets came back: a run missing in the middle is the hold.
    idx, i = [], 0
    for p in back:
        while i < len(echoed) and echoed[i] != p:
            i += 1
        idx.append(i)
        i += 1
    gaps = [(idx[k + 1] - idx[k] - 1, k) for k in range(len(idx) - 1)]
    gap, at = max(gaps) if gaps else (0, 0)
    expect = hold_ms / 30.0  # 30 ms packets
    c.check(f"hold: the far side's RTP stopped reaching SIPp while held ({gap} packets, ~{expect:.0f} expected), "
            f"flowed before ({at + 1}) and after ({len(idx) - at - 1})",
            0.6 * expect <= gap <= 1.4 * expect and at + 1 >= 20 and len(idx) - at - 1 >= 20,
            (gap, at, len(idx), len(echoed)))

    log = open(log_path).read()
    c.check("osmo-mgw knew every endpoint asked for (keepalive AUEP rtpbridge/*@mgw from the pattern)",
            "cannot find endpoint" not in log, log[-1500:])
    show = osmomgw.vty(addr, "show mgcp")
    c.check("osmo-mgw VTY: no connection left", "CONN:" not in show, show[-1500:])
    stats = osmomgw.vty(addr, "show mgcp stats")
    crcx = re.search(r"crcx:success:\s+(\d+)", stats)
    dlcx = re.search(r"dlcx:success:\s+(\d+)", stats)
    mdcx = re.search(r"mdcx:success:\s+(\d+)", stats)
    c.check("osmo-mgw: 4 CRCX (one per gateway and call) and 4 DLCX succeeded, MDCX for answer, hold, retrieval",
            crcx and dlcx and mdcx and int(crcx.group(1)) == 4 and int(dlcx.group(1)) == 4 and int(mdcx.group(1)) >= 8,
            (crcx and crcx.group(0), dlcx and dlcx.group(0), mdcx and mdcx.group(0)))
    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop()
        c.check(f"{name} stops cleanly", rc == 0, rc)
        lines = [l for l in d.lines if " isup circuits " in l]
        c.check(f"{name}: every circuit idle at stop", bool(lines) and all(" busy=0" in l for l in lines), lines)
finally:
    for d in (a, b):
        if d:
            d.cleanup()
    osmomgw.stop(mgw)
    shutil.rmtree(work, ignore_errors=True)
c.finish()

"""RFC 3263 trunk resolution and failover (issue 18) against Debian's dnsmasq.

SIPp UAC -> gateway A (SIP) -> ISUP over M3UA/TCP -> gateway B -> SIP trunk `callee` whose
address is the host name trunk.test, resolved by B through dnsmasq on a loopback port of
our own: NAPTR (SIP+D2T -> _sip._tcp.trunk.test), SRV (uas1 priority 10, uas2 priority 20),
A records, TTL 2 s. Three SIPp UAS over TCP on their own ports.
- calls go to uas1 first; uas1 is killed mid-run (after B saw 15 calls answered): the next
  INVITE finds its port refused and goes to uas2 in a new transaction (RFC 3263 4.3), uas1
  is avoided from then on;
- dnsmasq is restarted with a changed SRV record (uas3 only) and after the TTL the calls go to uas3;
- the SIPp UAC counts every call successful (no failed call at all);
- ENUM (RFC 6116): a call to +4930999111 takes a route target with enum_lookup: dnsmasq's NAPTR for
  1.1.1.9.9.9.0.3.9.4.e164.test rewrites the number (!^\\+(.*)$!sip:\\1@127.0.0.1:P4!) and the INVITE goes
  to that URI (a fourth SIPp UAS, UDP).
Oracles: SIPp's own counts (UAC and each UAS), tshark's decode of the INVITEs on lo (which
port got which, in what order). B's log names the resolved targets (our own account: only
used to wait for events)."""
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

from calltest import free_port, m3ua_port, sip_port, sipp_args, uac, uas, wait_circuits_reset, wait_uas
from harness import Capture, Checks, Daemon, wait_until

DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
if not os.path.exists(DNSMASQ):
    print("SKIP: dnsmasq (Debian dnsmasq-base) not installed")
    raise SystemExit(77)

DNS_PORT, MARK = free_port(), free_port()
P1, P2, P3, P4 = free_port(), free_port(), free_port(), free_port()
CALLS, UAS1_CALLS = 80, 15


def dnsmasq(srv):
    """dnsmasq on 127.0.0.1:DNS_PORT serving trunk.test's NAPTR, the SRV records `srv` and the A records."""
    argv = [DNSMASQ, "-k", "-C", "/dev/null", "-p", str(DNS_PORT), "--listen-address=127.0.0.1", "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--local-ttl=2", "--pid-file=",
            "--naptr-record=trunk.test,10,10,S,SIP+D2T,,_sip._tcp.trunk.test"]
    argv += [f"--srv-host=_sip._tcp.trunk.test,{host},{port},{prio},0" for host, port, prio in srv]
    argv += [f"--host-record={h},127.0.0.1" for h in ("uas1.test", "uas2.test", "uas3.test")]
    argv += [f"--naptr-record=1.1.1.9.9.9.0.3.9.4.e164.test,100,10,u,E2U+sip,!^\\+(.*)$!sip:\\1@127.0.0.1:{P4}!"]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def answers():
        q = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + b"\x05trunk\x04test\x00" + struct.pack(">HH", 35, 1)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            try:
                s.sendto(q, ("127.0.0.1", DNS_PORT))
                return s.recv(512)[:2] == b"\x00\x07"
            except OSError:
                return False
    return p, wait_until(answers, 10) is not None


def stop(p):
    if p and p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


B = f"""
node: {{name: gw-b}}
logging: {{level: info, subsystems: {{isup: debug}}}}
dns: {{servers: [{{address: 127.0.0.1, port: {DNS_PORT}}}], avoid_ms: 60000, retry_ms: 300, min_ttl_ms: 500,
       enum_suffix: e164.test}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}, {{transport: tcp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callee, address: trunk.test, transport: tcp, allowed_sources: ["127.0.0.0/8"]}},
           {{name: enum-peer, address: 127.0.0.1, port: 9, allowed_sources: ["127.0.0.0/8"]}}]
ss7:
  point_code_format: itu
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]}}]
routes:
  - {{prefix: "", from: b-a, targets: [{{sip_trunk: callee}}]}}
  - {{prefix: "30999", from: b-a, targets: [{{sip_trunk: enum-peer, enum_lookup: true}}]}}
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


def stat_counts(path):
    """(successful, failed) calls from the last line of a SIPp -trace_stat file."""
    with open(path) as f:
        rows = [l.rstrip(";\n").split(";") for l in f if l.strip()]
    head, last = rows[0], rows[-1]
    return int(last[head.index("SuccessfulCall(C)")]), int(last[head.index("FailedCall(C)")])


def invites(pcap):
    """(time, destination port) of each INVITE tshark decodes on the UAS ports, in capture order."""
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-d", f"tcp.port=={P1},sip", "-d", f"tcp.port=={P2},sip", "-d",
                        f"tcp.port=={P3},sip", "-Y", "sip.Method == \"INVITE\" && tcp", "-T", "fields", "-e",
                        "frame.time_relative", "-e", "tcp.dstport"], capture_output=True, text=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        t, port = line.split("\t")
        out.append((float(t), int(port.split(",")[0])))
    return out


c = Checks()
tmp = tempfile.mkdtemp(prefix="sip-dns-")
dns, a, b, cap, srvs, load = None, None, None, None, [], None
try:
    dns, up = dnsmasq([("uas1.test", P1, 10), ("uas2.test", P2, 20)])
    c.check("dnsmasq answers on its loopback port", up, dns.stderr.read() if dns.poll() is not None else "")
    tcp = ["-t", "t1"]
    srvs = [uas("sn:uas", P1, CALLS, tcp), uas("sn:uas", P2, CALLS, tcp), uas("sn:uas", P3, CALLS, tcp)]
    b = Daemon(B)
    port = m3ua_port(b, "from-a")
    resolved = b.wait_for(rf"dns_resolved trunk=callee .*targets=127\.0\.0\.1:{P1},127\.0\.0\.1:{P2}", 15)
    c.check("B resolved trunk.test: NAPTR -> SRV -> A, uas1 (priority 10) before uas2 (20)", resolved, b.lines[-10:])
    a = Daemon(A.format(port=port))
    a_sip = sip_port(a)
    c.check("A and B link up, circuits reset", wait_circuits_reset(a) and wait_circuits_reset(b), a.lines[-10:])
    pcap = os.path.join(tmp, "uas.pcap")
    cap = Capture(pcap, f"tcp port {P1} or tcp port {P2} or tcp port {P3} or udp port {P4} or udp port {MARK}", ("127.0.0.1", MARK))
    c.check("dumpcap captures the UAS ports", cap.started)
    stf = os.path.join(tmp, "uac.csv")
    load = subprocess.Popen(sipp_args("sn:uac", free_port(), ["-s", "4930123456", "-m", str(CALLS), "-r", "10",
                                                             "-trace_stat", "-stf", stf, "-fd", "1"]) +
                           [f"127.0.0.1:{a_sip}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           cwd=tmp)
    answered = wait_until(lambda: sum(" event=answer " in l for l in b.lines) >= UAS1_CALLS, 20)
    srvs[0].kill()
    srvs[0].wait()
    c.check(f"uas1 answered {UAS1_CALLS} calls, then was killed mid-run", answered)
    n = len(b.lines)
    fo = b.wait_for(rf"failover .*from=127\.0\.0\.1 from_port={P1} to=127\.0\.0\.1 to_port={P2}", 15)
    c.check("B: the next INVITE failed over from uas1 to uas2 (RFC 3263 4.3)", fo, b.lines[-10:])
    # The record changes: uas3 only. B picks it up when the 2 s TTL runs out.
    stop(dns)
    dns, up = dnsmasq([("uas3.test", P3, 10)])
    c.check("dnsmasq restarted with the changed SRV record", up)
    t_change = time.monotonic()
    moved = b.wait_for(rf"dns_resolved trunk=callee .*targets=127\.0\.0\.1:{P3} ", 15, n)
    c.check("B re-resolved after the TTL: uas3 only", moved, b.lines[-10:])
    c.check(f"... within TTL + retry ({time.monotonic() - t_change:.1f} s, TTL 2 s)", time.monotonic() - t_change < 6)
    try:
        load.wait(60)
    except subprocess.TimeoutExpired:
        load.kill()
    ok, failed = stat_counts(stf) if os.path.exists(stf) else (0, -1)
    c.check(f"SIPp UAC: {ok} successful, {failed} failed of {CALLS} calls (exit {load.returncode})",
            load.returncode == 0 and ok == CALLS and failed == 0, load.stderr.read()[-800:] if load.stderr else "")
    # ENUM: one call to 4930999111, its destination from dnsmasq's NAPTR.
    enum_uas = uas("sn:uas", P4, 1)
    rc, err = uac("sn:uac", a_sip, service="+4930999111")
    c.check("ENUM call: SIPp UAC passes", rc == 0, err[-500:] + "\n".join(b.lines[-8:]))
    c.check("ENUM call: the fourth SIPp UAS (the NAPTR's URI) took it", wait_uas(enum_uas, 15) == 0)
    c.check("tshark: capture complete", cap.stop(), pcap)
    cap = None
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-d", f"udp.port=={P4},sip", "-Y",
                        f"sip.Method == \"INVITE\" && udp.dstport=={P4}", "-T", "fields", "-e", "sip.r-uri"],
                       capture_output=True, text=True, timeout=60)
    c.check(f"tshark: the INVITE to the ENUM target has Request-URI sip:4930999111@127.0.0.1:{P4}",
            r.stdout.split() == [f"sip:4930999111@127.0.0.1:{P4}"], r.stdout)
    inv = invites(pcap)
    ports = [p for _, p in inv]
    first = {p: ports.index(p) if p in ports else None for p in (P1, P2, P3)}
    counts = {p: ports.count(p) for p in (P1, P2, P3)}
    c.check(f"tshark: INVITEs per target uas1/uas2/uas3 = {counts[P1]}/{counts[P2]}/{counts[P3]} (sum {len(inv)})",
            counts[P1] >= UAS1_CALLS and counts[P2] > 0 and counts[P3] > 0 and len(inv) == CALLS, inv)
    c.check("tshark: the calls went to uas1 first, then uas2, then uas3 (none back)",
            first[P2] is not None and first[P3] is not None and ports[:first[P2]] == [P1] * first[P2] and
            all(p == P2 for p in ports[first[P2]:first[P3]]) and all(p == P3 for p in ports[first[P3]:]), ports)
    for i, s in enumerate(srvs[1:], 2):
        s.terminate()
        wait_uas(s, 10)
    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop()
        c.check(f"{name} stops cleanly", rc == 0, rc)
finally:
    if cap:
        cap.stop(0)
    if load and load.poll() is None:
        load.kill()
    for s in srvs:
        if s.poll() is None:
            s.kill()
            s.wait()
    stop(dns)
    for d in (a, b):
        if d:
            d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

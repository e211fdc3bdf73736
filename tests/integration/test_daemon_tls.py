"""SIP over TLS in the daemon (issue 18), both ways, with an independent TLS peer.

Debian's SIPp has no OpenSSL, so stunnel4 (OpenSSL) makes the TLS on our wire;
certificates come from the openssl CLI. The tandem of test_tandem_sipp.py:

  SIPp UAC -TCP-> stunnel (client: presents caller.test, verifies gw-a.test)
      -TLS-> A's TLS listener (trunk `callers`: requires a certificate naming caller.test, RFC 5922)
      -> ISUP over M3UA/TCP -> B -> TLS trunk `callee` (expects callee.test, sips: URIs)
      -TLS-> stunnel (server: certificate with URI:sip:callee.test) -TCP-> SIPp UAS

Checks: the calls complete (SIPp's counts at both ends); stunnel verified A's
certificate and accepted the call over TLS; A refuses a client offering only TLS
1.0 or 1.1 (openssl s_client, shown able to speak 1.1 to a server that allows it); B's trunk `wrongname` (127.0.0.2,
expects wrong.test, the server presents callee.test) refuses the handshake:
stunnel's log names the alert from B, the caller gets 503 (cause 38), B counts
sip.tls.identity_mismatch; a client certificate for the wrong name is refused
by A; tshark, given the SSLKEYLOGFILE both gateways wrote, decodes the SIP
inside both TLS legs (the INVITE to the callee with a sips: Request-URI)."""
import os
import re
import shutil
import subprocess
import tempfile

from calltest import circuits_idle, free_port, m3ua_port, scenario, sip_port, uac, uas, wait_uas
from harness import Capture, Checks, Daemon, wait_port, wait_until

c = Checks()
STUNNEL = shutil.which("stunnel4") or shutil.which("stunnel")
if STUNNEL is None:
    c.skip("stunnel4 not installed (scripts/setup.sh installs it)")
if shutil.which("tshark") is None or shutil.which("dumpcap") is None:
    c.skip("tshark/dumpcap not installed")

WORK = tempfile.mkdtemp(prefix="isupgw-tls-")
KEYLOG = os.path.join(WORK, "keys.log")
os.environ["SSLKEYLOGFILE"] = KEYLOG  # both gateways inherit it


def P(n):
    return os.path.join(WORK, n)


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=WORK)


openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout", "ca.key",
        "-out", "ca.pem")
# RFC 5922 7.1: identities in subjectAltName; the CN is deliberately another name.
for name, san in (("gw-a", "DNS:gw-a.test"), ("gw-b", "DNS:gw-b.test"), ("caller", "DNS:caller.test"),
                  ("callee", "URI:sip:callee.test"), ("impostor", "DNS:impostor.test")):
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN=cn-{name}", "-keyout", f"{name}.key", "-out",
            f"{name}.csr")
    with open(P(f"{name}.ext"), "w") as f:
        f.write(f"subjectAltName={san}\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-out", f"{name}.pem", "-extfile", f"{name}.ext")

tunnels = []


def stunnel(name, client, accept, connect, cert, check_host=None, verify=True):
    conf = [f"pid = {P(name + '.pid')}", "foreground = yes", f"output = {P(name + '.log')}", "debug = 7",
            f"[{name}]", f"client = {'yes' if client else 'no'}", f"accept = {accept}", f"connect = {connect}",
            f"CAfile = {P('ca.pem')}", f"cert = {P(cert + '.pem')}", f"key = {P(cert + '.key')}",
            "sslVersionMin = TLSv1.2"]
    if verify:
        conf += ["verifyChain = yes"]
    if check_host:
        conf += [f"checkHost = {check_host}"]
    with open(P(name + ".conf"), "w") as f:
        f.write("\n".join(conf) + "\n")
    p = subprocess.Popen([STUNNEL, P(name + ".conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tunnels.append(p)
    wait_port(int(accept.rsplit(":", 1)[1]), "tcp")  # bound, without connecting (a client tunnel would dial A)
    return p


def log_of(name):
    try:
        with open(P(name + ".log")) as f:
            return f.read()
    except OSError:
        return ""


def sipp_counts(stderr):
    return stderr[-600:]


UAS_PORT = free_port()      # SIPp UAS (TCP) behind stunnel "to-callee"
CALLEE_TLS = free_port()    # stunnel "to-callee" (TLS server)
WRONG_TLS = free_port()     # stunnel "wrongname" on 127.0.0.2 (TLS server, the callee's certificate)
CALLER_TCP = free_port()    # stunnel "from-caller" (TCP in, TLS client towards A)
IMPOSTOR_TCP = free_port()  # stunnel "impostor" (a client certificate for impostor.test)
MARKER = free_port()

TLS_COMMON = f"ca_file: {P('ca.pem')}"
B = f"""
node: {{name: gw-b}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: tls, address: 127.0.0.1, port: 0}}]
  tls: {{certificate: {P('gw-b.pem')}, private_key: {P('gw-b.key')}, {TLS_COMMON}}}
  trunks:
    - {{name: callee, address: 127.0.0.1, port: {CALLEE_TLS}, transport: tls, domain: callee.test}}
    - {{name: wrongname, address: 127.0.0.2, port: {WRONG_TLS}, transport: tls, tls: {{server_name: wrong.test}}}}
ss7:
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]}}]
routes:
  - {{prefix: "77", from: b-a, targets: [{{sip_trunk: wrongname}}]}}
  - {{prefix: "", from: b-a, targets: [{{sip_trunk: callee}}]}}
"""

A = """
node: {{name: gw-a}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: tls, address: 127.0.0.1, port: 0}}]
  tls: {{certificate: {cert}, private_key: {key}, {common}}}
  trunks: [{{name: callers, address: 127.0.0.1, transport: tls, tls: {{server_name: caller.test}},
             allowed_sources: ["127.0.0.0/8"]}}]
ss7:
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}}]
routes: [{{prefix: "", from: callers, targets: [{{trunk_group: a-b}}]}}]
"""


def counter(d, name):
    for l in d.lines:
        m = re.search(rf" counter name={re.escape(name)} value=(\d+)", l)
        if m:
            return int(m.group(1))
    return None


def tshark_sip(pcap, ports):
    """[TCP source port, destination port, method, status, Request-URI] of each SIP message tshark decrypts and
    decodes (a TLS record may carry several: every occurrence is listed)."""
    argv = ["tshark", "-n", "-r", pcap, "-o", f"tls.keylog_file:{KEYLOG}"]
    for p in ports:
        argv += ["-d", f"tcp.port=={p},tls", "-d", f"tls.port=={p},sip"]
    argv += ["-Y", "sip", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;", "-e", "tcp.srcport", "-e",
             "tcp.dstport", "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "sip.r-uri"]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        src, dst, methods, codes, ruris = (line.split("|") + [""] * 5)[:5]
        # One frame's messages in order; a response has no method or Request-URI.
        methods, ruris = methods.split(";") if methods else [], ruris.split(";") if ruris else []
        for i, m in enumerate(methods):
            out.append([src, dst, m, "", ruris[i] if i < len(ruris) else ""])
        for code in codes.split(";") if codes else []:
            out.append([src, dst, "", code, ""])
    return out, r.stderr


a = b = cap = None
try:
    b = Daemon(B)
    b_port = m3ua_port(b, "from-a")
    a = Daemon(A.format(cert=P("gw-a.pem"), key=P("gw-a.key"), common=TLS_COMMON, port=b_port))
    a_tls = sip_port(a, "tls")
    c.check("A: TLS listener bound", a_tls != 9, a.lines[-10:])
    c.check("A and B: the keylog warning names SSLKEYLOGFILE",
            a.wait_for(r"sip tls_keylog file=") is not None and b.wait_for(r"sip tls_keylog file=") is not None)
    c.check("A and B link up", a.wait_for(r"isup rx group=a-b cic=\d+ msg=GRA", 20) is not None, a.lines[-10:])

    stunnel("from-caller", True, f"127.0.0.1:{CALLER_TCP}", f"127.0.0.1:{a_tls}", "caller", check_host="gw-a.test")
    stunnel("impostor", True, f"127.0.0.1:{IMPOSTOR_TCP}", f"127.0.0.1:{a_tls}", "impostor", check_host="gw-a.test")
    stunnel("to-callee", False, f"127.0.0.1:{CALLEE_TLS}", f"127.0.0.1:{UAS_PORT}", "callee", verify=False)
    stunnel("wrongname", False, f"127.0.0.2:{WRONG_TLS}", f"127.0.0.1:{UAS_PORT}", "callee", verify=False)

    cap = Capture(P("tls.pcap"), f"tcp port {a_tls} or tcp port {CALLEE_TLS} or udp port {MARKER}",
                  ("127.0.0.1", MARKER))
    c.check("dumpcap captures both TLS legs", cap.started)

    CALLS = 3
    srv = uas("sn:uas", UAS_PORT, calls=CALLS, extra=["-t", "t1"])
    rc, err = uac("sn:uac", CALLER_TCP, calls=CALLS, extra=["-t", "t1", "-r", "5", "-d", "200"])
    src = wait_uas(srv)
    c.check(f"{CALLS} calls SIPp -> stunnel -TLS-> A -> ISUP -> B -TLS-> stunnel -> SIPp: UAC passes", rc == 0,
            err[-600:] + "\n".join(a.lines[-8:] + b.lines[-8:]))
    c.check(f"... UAS passes ({CALLS} calls)", src == 0, (srv.stderr.read() if srv.stderr else "")[-600:])
    fc, tc = log_of("from-caller"), log_of("to-callee")
    c.check("stunnel (client) verified A's certificate (gw-a.test) and carried the calls",
            # checkHost = gw-a.test: stunnel accepts the certificate only when a DNS subjectAltName matches.
            "Certificate accepted at depth=0: CN=cn-gw-a" in fc and "negotiation finished successfully" in fc,
            [l for l in fc.splitlines() if "ertific" in l or "SSL" in l or "host" in l][:30])
    c.check("stunnel (server) completed TLS handshakes with B",
            "TLS accepted: new session negotiated" in tc,
            [l for l in tc.splitlines() if "accept" in l or "negotiation" in l or "SSL" in l][:30])

    # RFC 5922: the server behind trunk `wrongname` presents callee.test; B expects wrong.test.
    rc, err = uac(scenario("uac_expect.xml", 503), CALLER_TCP, service="77123", extra=["-t", "t1"])
    c.check("a TLS trunk whose certificate names someone else: refused, the caller gets 503", rc == 0,
            err[-600:] + "\n".join(b.lines[-8:]))
    c.check("B logged the mismatch with both names",
            b.wait_for(r"sip tls_identity_mismatch expected=wrong.test certificate=\"URI:sip:callee.test") is not None,
            b.lines[-10:])
    # stunnel may write the alert line a moment after B logged the mismatch: wait for it.
    wait_until(lambda: re.search(r"alert|SSL_accept", log_of("wrongname")), 10)
    wl = log_of("wrongname")
    c.check("stunnel saw B abort the handshake (alert from the client)", re.search(r"alert|SSL_accept", wl) is not None,
            wl[-1500:])
    c.check("no handshake completed on the wrong-name trunk", "TLS accepted" not in wl, wl[-800:])

    # A client certificate that names impostor.test is refused by A's trunk `callers` (expects caller.test).
    n_before = len(a.lines)
    rc, err = uac("sn:uac", IMPOSTOR_TCP, extra=["-t", "t1", "-timeout", "5"])
    c.check("a caller whose certificate names impostor.test is refused by A (no call)", rc != 0, err[-400:])
    c.check("A logged the impostor's identity",
            a.wait_for(r"sip tls_identity_mismatch expected=caller.test certificate=\"DNS:impostor.test", 10,
                       n_before) is not None, a.lines[-6:])

    # TLS 1.2 minimum (RFC 8996 deprecates 1.0 and 1.1): openssl s_client offering only TLS 1.0 or 1.1, at
    # security level 0 so that the client itself would agree to them (the control below shows it does).
    def s_client(port, version):
        r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", f"-{version}", "-cipher",
                            "DEFAULT:@SECLEVEL=0", "-cert", P("caller.pem"), "-key", P("caller.key")],
                           input="", capture_output=True, text=True, timeout=20)
        return r.stdout + r.stderr
    control_port = free_port()
    control = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{control_port}", "-cert",
                                P("gw-a.pem"), "-key", P("gw-a.key"), "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(control_port)
        out = s_client(control_port, "tls1_1")
        c.check("control: this openssl client negotiates TLS 1.1 with a server that allows it",
                re.search(r"Protocol\s*:\s*TLSv1\.1", out) is not None and "Cipher is (NONE)" not in out, out[-600:])
    finally:
        control.kill()
        control.wait()
    for version in ("tls1", "tls1_1"):
        out = s_client(a_tls, version)
        c.check(f"A's TLS listener refuses a client that offers only {version.replace('_', '.').upper()}",
                "alert protocol version" in out and "Cipher is (NONE)" in out, out[-600:])

    c.check("dumpcap: capture complete", cap.stop(), P("tls.pcap"))
    cap = None
    msgs, terr = tshark_sip(P("tls.pcap"), [a_tls, CALLEE_TLS])
    to_callee = [m for m in msgs if len(m) >= 5 and m[1] == str(CALLEE_TLS) and m[2] == "INVITE"]
    into_a = [m for m in msgs if len(m) >= 5 and m[1] == str(a_tls) and m[2] == "INVITE"]
    c.check(f"tshark (SSLKEYLOGFILE) decodes the INVITEs inside A's TLS leg ({len(into_a)})", len(into_a) >= CALLS,
            (msgs, terr[-500:]))
    c.check(f"tshark decodes B's INVITEs to the callee ({len(to_callee)}), each with a sips: Request-URI",
            len(to_callee) >= CALLS and all(m[4].startswith("sips:") and "@callee.test" in m[4] for m in to_callee),
            (to_callee, terr[-500:]))
    c.check("tshark decodes the 200 OKs in both legs",
            sum(1 for m in msgs if len(m) >= 4 and m[3] == "200") >= 4 * CALLS, msgs)

    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop()
        c.check(f"{name} stops cleanly", rc == 0, rc)
        ok, lines = circuits_idle(d)
        c.check(f"{name}: every circuit idle at stop", ok, lines)
    c.check("B counted the refused identity (sip.tls.identity_mismatch >= 1)",
            (counter(b, "sip.tls.identity_mismatch") or 0) >= 1, counter(b, "sip.tls.identity_mismatch"))
finally:
    if cap:
        cap.stop(0)
    for p in tunnels:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
    for d in (a, b):
        if d:
            d.cleanup()
    shutil.rmtree(WORK, ignore_errors=True)
c.finish()

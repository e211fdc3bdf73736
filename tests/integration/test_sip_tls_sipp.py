"""SIPp over TLS against the stack. Debian's SIPp is built without OpenSSL
(`-t l1` is refused), so SIPp speaks SIP over TCP to stunnel (Debian stunnel4,
OpenSSL), which carries it over TLS to and from sip-ua: the TLS on the wire is
made by an independent implementation, certificates by the openssl CLI.

  SIPp UAC -TCP-> stunnel (TLS client, verifies sip-ua's certificate against
      the CA) -TLS-> sip-ua UAS: calls complete;
  sip-ua UAC -TLS-> stunnel (TLS server with its own certificate, verified by
      sip-ua) -TCP-> SIPp UAS: calls complete."""
import os
import shutil
import subprocess

from harness import Checks, wait_port
from sip_peers import SIPP, WORK, finish_ua, free_port, sipp, start_ua

CALLS = 3
c = Checks()
STUNNEL = shutil.which("stunnel4") or shutil.which("stunnel")
c.check("stunnel installed", STUNNEL is not None)
if STUNNEL is None:
    c.finish()


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=WORK)


def P(n):
    return os.path.join(WORK, n)


openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout", "ca.key",
        "-out", "ca.pem")
for name in ("server", "proxy"):
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out",
            f"{name}.csr")
    with open(P(f"{name}.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-out", f"{name}.pem", "-extfile", f"{name}.ext")


def stunnel(name, client, accept, connect, cert=None, key=None):
    conf = [f"pid = {P(name + '.pid')}", "foreground = yes", f"output = {P(name + '.log')}", "debug = 5",
            f"[{name}]", f"client = {'yes' if client else 'no'}", f"accept = 127.0.0.1:{accept}",
            f"connect = 127.0.0.1:{connect}", f"CAfile = {P('ca.pem')}"]
    if client:
        conf += ["verifyChain = yes", "checkIP = 127.0.0.1"]
    if cert:
        conf += [f"cert = {cert}", f"key = {key}"]
    with open(P(name + ".conf"), "w") as f:
        f.write("\n".join(conf) + "\n")
    p = subprocess.Popen([STUNNEL, P(name + ".conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(accept, "tcp")  # stunnel accepts connections
    return p


def log_of(name):
    try:
        with open(P(name + ".log")) as f:
            return f.read()[-1500:]
    except OSError:
        return ""


# SIPp UAC -> stunnel client -> TLS -> sip-ua UAS.
tls_port, tcp_port = free_port(), free_port()
uas = start_ua("uas", "--transport", "tls", "--listen", f"127.0.0.1:{tls_port}", "--cert", P("server.pem"), "--key",
               P("server.key"), "--ca", P("ca.pem"), "--calls", CALLS, "--duration", 30, "--ring-ms", 50)
tun = stunnel("to-ua", True, tcp_port, tls_port)
try:
    rc, out = sipp(["-sn", "uac", f"127.0.0.1:{tcp_port}", "-t", "t1", "-i", "127.0.0.1", "-p", free_port(), "-m",
                    CALLS, "-r", 5, "-d", 200], timeout=60)
    urc, uout = finish_ua(uas, timeout=30)
    c.check(f"SIPp UAC over TLS (stunnel) -> sip-ua: {CALLS} calls", rc == 0 and urc == 0,
            f"\nsipp rc={rc}\n{out}\nsip-ua rc={urc}\n{uout}\nstunnel:\n{log_of('to-ua')}")
    c.check("stunnel verified sip-ua's certificate and carried the calls over TLS",
            "Certificate accepted at depth=0: CN=server" in log_of("to-ua") and "sent to TLS" in log_of("to-ua"),
            log_of("to-ua"))
finally:
    tun.terminate()
    tun.wait(5)

# sip-ua UAC -> TLS -> stunnel server -> SIPp UAS.
tls_port, sipp_port = free_port(), free_port()
tun = stunnel("to-sipp", False, tls_port, sipp_port, P("proxy.pem"), P("proxy.key"))
sp = subprocess.Popen([SIPP, "-sn", "uas", "-t", "t1", "-i", "127.0.0.1", "-p", str(sipp_port), "-m", str(CALLS),
                       "-nostdin", "-timeout", "40s", "-timeout_error"], stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT, text=True, cwd=WORK)
try:
    wait_port(sipp_port, "tcp")  # SIPp listens for stunnel
    uac = start_ua("uac", "--transport", "tls", "--peer", f"127.0.0.1:{tls_port}", "--ca", P("ca.pem"), "--verify",
                   "--calls", CALLS, "--duration", 30, "--hold-ms", 200)
    urc, uout = finish_ua(uac, timeout=40)
    try:
        sout, _ = sp.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        sp.kill()
        sout, _ = sp.communicate()
    c.check(f"sip-ua UAC over TLS -> stunnel -> SIPp UAS: {CALLS} calls, server certificate verified",
            urc == 0 and sp.returncode == 0,
            f"\nsip-ua rc={urc}\n{uout}\nsipp rc={sp.returncode}\n{sout[-1500:]}\nstunnel:\n{log_of('to-sipp')}")
finally:
    if sp.poll() is None:
        sp.kill()
    tun.terminate()
    tun.wait(5)
c.finish()

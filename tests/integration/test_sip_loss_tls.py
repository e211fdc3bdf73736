"""The SIP stack under SIPp's packet loss (-lost 10: UDP retransmissions by
the transaction and dialog layers carry every call through), and over TLS
(sip-ua to sip-ua: the Debian SIPp is built without OpenSSL): certificates
made at test time with the openssl CLI, the peer verified against the CA, a
peer with a certificate from another CA refused."""
import os
import subprocess
import time

from harness import Checks
from sip_peers import SIPP, WORK, finish_ua, free_port, sipp, start_ua, tshark_check

c = Checks()

# --- UDP under 10 % loss -----------------------------------------------------
CALLS = 10
port = free_port()
ua = start_ua("uas", "--listen", f"127.0.0.1:{port}", "--calls", CALLS, "--duration", 50, "--ring-ms", 50)
rc, out = sipp(["-sn", "uac", f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", free_port(), "-m", CALLS, "-r", 5,
                "-d", 200, "-lost", 10, "-trace_stat", "-stf", os.path.join(WORK, "lost_stat.csv")], timeout=90)
urc, uout = finish_ua(ua, timeout=90)
c.check(f"SIPp UAC with -lost 10 -> sip-ua: {CALLS} calls complete", rc == 0,
        f"\nsipp rc={rc}\n{out}\nsip-ua rc={urc}\n{uout}")
c.check("sip-ua saw every call end normally", urc == 0 and f"summary calls={CALLS} failed=0" in uout, uout)

# sip-ua as UAC, SIPp as UAS losing 10 %.
port = free_port()
sp = subprocess.Popen([SIPP, "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-m", str(CALLS), "-lost", "10",
                       "-nostdin", "-timeout", "60s", "-timeout_error"], stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT, text=True, cwd=WORK)
time.sleep(0.3)
ua = start_ua("uac", "--peer", f"127.0.0.1:{port}", "--calls", CALLS, "--duration", 60, "--hold-ms", 200)
urc, uout = finish_ua(ua, timeout=90)
try:
    sout, _ = sp.communicate(timeout=60)
except subprocess.TimeoutExpired:
    sp.kill()
    sout, _ = sp.communicate()
c.check(f"sip-ua UAC -> SIPp UAS with -lost 10: {CALLS} calls complete", urc == 0,
        f"\nsip-ua rc={urc}\n{uout}\nsipp rc={sp.returncode}\n{sout[-2000:]}")

# --- TLS ---------------------------------------------------------------------
def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=WORK)


def make_ca(name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}", "-keyout",
            f"{name}.key", "-out", f"{name}.pem")


def make_cert(name, ca):
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out",
            f"{name}.csr")
    with open(os.path.join(WORK, f"{name}.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-days", "2", "-out", f"{name}.pem", "-extfile", f"{name}.ext")


make_ca("ca")
make_ca("otherca")
make_cert("server", "ca")
make_cert("client", "ca")
make_cert("rogue", "otherca")
P = lambda n: os.path.join(WORK, n)

port = free_port()
uas = start_ua("uas", "--transport", "tls", "--listen", f"127.0.0.1:{port}", "--cert", P("server.pem"), "--key",
               P("server.key"), "--ca", P("ca.pem"), "--verify", "--calls", 2, "--duration", 20, "--ring-ms", 100)
uac = start_ua("uac", "--transport", "tls", "--peer", f"127.0.0.1:{port}", "--cert", P("client.pem"), "--key",
               P("client.key"), "--ca", P("ca.pem"), "--verify", "--calls", 2, "--duration", 20, "--hold-ms", 200)
arc, aout = finish_ua(uac)
brc, bout = finish_ua(uas)
c.check("TLS (mutual verification): 2 calls sip-ua -> sip-ua", arc == 0 and brc == 0,
        f"\nuac rc={arc}\n{aout}\nuas rc={brc}\n{bout}")

port = free_port()
uas = start_ua("uas", "--transport", "tls", "--listen", f"127.0.0.1:{port}", "--cert", P("server.pem"), "--key",
               P("server.key"), "--ca", P("ca.pem"), "--verify", "--calls", 1, "--duration", 5)
uac = start_ua("uac", "--transport", "tls", "--peer", f"127.0.0.1:{port}", "--cert", P("rogue.pem"), "--key",
               P("rogue.key"), "--ca", P("ca.pem"), "--verify", "--calls", 1, "--duration", 5, "--t1-ms", 100)
arc, aout = finish_ua(uac)
brc, bout = finish_ua(uas)
c.check("TLS: a client certificate from another CA is refused (no call)", arc == 1 and "event=invite " not in bout,
        f"\nuac rc={arc}\n{aout}\nuas rc={brc}\n{bout}")

n, problems = tshark_check()
c.check(f"tshark decodes all {n} messages sip-ua emitted, none malformed", n > 0 and not problems,
        "\n".join(problems[:20]))
c.finish()

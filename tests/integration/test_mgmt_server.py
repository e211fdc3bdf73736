"""The management API's server (issue 16) beyond plain loopback HTTP:
- HTTPS with a certificate made here by openssl: `isupgw ctl --cacert` verifies it
  and is served; openssl s_client reads the certificate and protocol; plain HTTP
  to the HTTPS port gets no answer;
- a listener on 0.0.0.0 is accepted with TLS and a token (refused without them:
  tests/integration/bad-configs/management-beyond-loopback.yaml);
- connections beyond max_connections are closed at once, while the ones within
  stay served; an idle connection is closed after idle_timeout_ms."""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

from harness import BIN, Checks, Daemon, run, wait_until
from mgmtapi import api_url, token_file

c = Checks()
if not shutil.which("openssl"):
    c.skip("openssl (the command) is not installed")
work = tempfile.mkdtemp(prefix="isupgw-tls-")
cert, key = os.path.join(work, "api.pem"), os.path.join(work, "api.key")
r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
c.check("openssl made a certificate", r.returncode == 0, r.stderr[-300:])
TOKEN = "tls-token-0123456789abcdef"
tok = token_file(TOKEN)
GW = f"""
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
management:
  listen: {{address: 0.0.0.0, port: 0}}
  token_file: {tok}
  tls_certificate: {cert}
  tls_private_key: {key}
  max_connections: 4
  idle_timeout_ms: 700
"""
d = Daemon(GW)
try:
    url = api_url(d)
    c.check("0.0.0.0 with TLS and a token: accepted, https url logged", url is not None and url.startswith("https://0.0.0.0:"),
            d.lines[-5:])
    port = int(url.rsplit(":", 1)[1]) if url else 9
    local = f"https://127.0.0.1:{port}"
    r = run([BIN, "ctl", "--url", local, "--cacert", cert, "--token-file", tok, "show", "counters"])
    c.check("ctl over HTTPS, certificate verified: served", r.returncode == 0 and r.stdout.startswith("{"),
            (r.returncode, r.stdout[:200], r.stderr[-300:]))
    r = run([BIN, "ctl", "--url", local, "--token-file", tok, "show", "counters"])
    c.check("ctl without the CA: the certificate is refused", r.returncode == 1 and "certificate" in r.stderr.lower(),
            (r.returncode, r.stderr[-300:]))
    r = run([BIN, "ctl", "--url", local, "--cacert", cert, "show", "counters"])
    c.check("ctl over HTTPS without the token: 401", r.returncode == 1 and "HTTP 401" in r.stderr, r.stderr[-300:])
    r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", cert], input="",
                       capture_output=True, text=True, timeout=20)
    c.check("openssl s_client: TLS 1.2+ and our certificate, verified",
            "Verify return code: 0 (ok)" in r.stdout and ("TLSv1.3" in r.stdout or "TLSv1.2" in r.stdout) and
            "CN = 127.0.0.1" in r.stdout, r.stdout[-600:])
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /counters HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    try:
        while chunk := s.recv(4096):
            got += chunk
    except OSError:
        pass
    s.close()
    c.check("plain HTTP to the HTTPS port: no HTTP answer", not got.startswith(b"HTTP/"), got[:80])

    # Connection limit (4) and idle timeout (700 ms), over TLS.
    ctx = ssl.create_default_context(cafile=cert)

    def tls_conn():
        return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="127.0.0.1")

    def closed_by_server(sock):
        try:
            return sock.recv(1) == b""
        except (ConnectionResetError, ssl.SSLError, OSError):
            return True

    held = [tls_conn() for _ in range(4)]
    opened = time.monotonic()
    extra = socket.create_connection(("127.0.0.1", port), timeout=5)
    extra.settimeout(5)
    t0 = time.monotonic()
    c.check("a 5th connection (max_connections 4) is closed at once", closed_by_server(extra) and
            time.monotonic() - t0 < 2, time.monotonic() - t0)
    extra.close()
    held[0].sendall(b"GET /counters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
    c.check("the ones within the limit are served", held[0].recv(12).startswith(b"HTTP/1.1 200"))
    idle = held[1]
    idle.settimeout(5)
    c.check("an idle connection is closed after idle_timeout_ms (700 ms)",
            closed_by_server(idle) and 0.6 < time.monotonic() - opened < 3, time.monotonic() - opened)
    for h in held:
        h.close()
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    d.cleanup()
    os.unlink(tok)
    shutil.rmtree(work, ignore_errors=True)
c.finish()

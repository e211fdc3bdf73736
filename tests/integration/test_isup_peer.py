"""isup-peer, the scriptable ISUP exchange: its sample scenarios pass against
isupgw's call control over the in-process loopback and over real M3UA/TCP on
loopback (isup-peer --exchange, i.e. IsupCallControl behind sigtran's MTP3
service), and a failing scenario is reported as such."""
import os
import socket
import subprocess
import tempfile

from harness import BIN, SRC, Checks, run, wait_port

c = Checks()
PEER = os.path.join(os.path.dirname(BIN), "isup-peer")
SCEN = os.path.join(SRC, "tools", "isup-peer", "scenarios")
scenarios = sorted(os.path.join(SCEN, f) for f in os.listdir(SCEN) if f.endswith(".txt"))

r = run([PEER, "--loopback"] + scenarios)
c.check("loopback scenarios", r.returncode == 0 and f"{len(scenarios)} passed, 0 failed" in r.stdout,
        r.stdout + r.stderr)

with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    f.write("send IAM cic=2\nexpect ANM cic=2 timeout=2s\n")
    bad = f.name
r = run([PEER, bad])
c.check("mismatch fails", r.returncode == 1 and "expected ANM, received ACM cic 2" in r.stdout, r.stdout)
os.unlink(bad)

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
exchange = subprocess.Popen([PEER, "--exchange", "--m3ua-listen", f"127.0.0.1:{port}", "--opc", "100", "--dpc", "200",
                             "--duration", "30"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
c.check("isup-peer exchange listens for M3UA", wait_port(port, "tcp"))
r = run([PEER, "--m3ua-connect", f"127.0.0.1:{port}", "--opc", "200", "--dpc", "100", "--timeout", "20"] + scenarios)
c.check("M3UA/TCP scenarios", r.returncode == 0 and f"{len(scenarios)} passed, 0 failed" in r.stdout,
        r.stdout + r.stderr)
exchange.terminate()
exchange.wait(timeout=10)

c.finish()

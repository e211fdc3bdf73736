"""mg-sim (our MG simulator on UDP) driven over its stdin control channel,
with mgcp-probe as the Call Agent: dropped commands are recovered by
retransmission, injected error codes surface as transaction errors, and the
simulator's own bookkeeping shows every connection deleted."""
import os
import re
import subprocess

from harness import BIN, Checks
from mgsim import SIM, MgSim

BINDIR = os.path.dirname(os.path.abspath(BIN))
PROBE = os.path.join(BINDIR, "mgcp-probe")


def probe(port, cycles=20):
    return subprocess.run([PROBE, "--mg", "127.0.0.1:%d" % port, "--cycles", str(cycles)], capture_output=True,
                          text=True, timeout=60)


c = Checks()
c.check("tools built", os.access(SIM, os.X_OK) and os.access(PROBE, os.X_OK), BINDIR)

s = MgSim("mgw")
try:
    c.check("mg-sim ready on an ephemeral port", s.port is not None, s.first_line)
    c.check("control: drop", s.control("drop 2") == "ok drop 2")
    r = probe(s.port)
    print(r.stdout, end="")
    c.check("probe passes despite 2 dropped commands", r.returncode == 0 and "result PASS" in r.stdout)
    m = re.search(r"retransmissions=(\d+) timeouts=0", r.stdout)
    c.check("the drops were retransmitted", m is not None and int(m.group(1)) >= 2, r.stdout)
    stats = s.control("stats")
    c.check("simulator: no connection left, 2 dropped", stats is not None and "connections=0" in stats and
            "dropped=2" in stats, stats)

    c.check("control: fail-verb", s.control("fail-verb CRCX 403") == "ok fail-verb CRCX 403")
    r = probe(s.port, cycles=1)
    c.check("injected 403 on CRCX is a transient transaction error",
            r.returncode == 1 and "crcx error=transaction transaction=transient_error code=403" in r.stdout,
            r.stdout)
    c.check("control: clear-verb", s.control("clear-verb CRCX") == "ok clear-verb CRCX")
    c.check("control: rsip reaches the last Call Agent", (s.control("rsip restart") or "").startswith("ok rsip"))
    c.check("control: continuity", s.control("continuity fail") == "ok continuity fail")
    c.check("control: unknown command refused", s.control("explode") == "error unknown command")
finally:
    s.stop()
c.check("mg-sim exits on quit", s.proc.returncode == 0, s.proc.returncode)
c.finish()

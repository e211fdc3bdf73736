"""Our MGCP client (mgcp-probe) against a real osmo-mgw started here on a
private loopback address: keepalive AUEP -> health UP, AUEP, CRCX on
rtpbridge/*@mgw (endpoint name from Z: and an SDP back), MDCX, DLCX, then 200
create/delete cycles on 8 endpoints (a leak would exhaust them), AUEP on every
endpoint used and osmo-mgw's own VTY view: no connection left."""
import os
import random
import re
import shutil
import subprocess
import tempfile
import time

from harness import BIN, Checks
from osmomgw import TEMPLATE, VTY_PORT, mgcp_answers, pick_address, vty  # noqa: F401

PROBE = os.path.join(os.path.dirname(os.path.abspath(BIN)), "mgcp-probe")
ENDPOINTS = 8
CYCLES = 200


c = Checks()
c.check("osmo-mgw installed", shutil.which("osmo-mgw") is not None)
c.check("mgcp-probe built", os.access(PROBE, os.X_OK), PROBE)
if not shutil.which("osmo-mgw") or not os.access(PROBE, os.X_OK):
    c.finish()

addr, port = pick_address()
rtp_low = 20000 + random.randint(0, 2000) * 2
work = tempfile.mkdtemp(prefix="isupgw-osmo-mgw-")
cfg_path = os.path.join(work, "osmo-mgw.cfg")
with open(TEMPLATE) as f:
    cfg = f.read()
for k, v in {"ADDR": addr, "PORT": port, "RTP_LOW": rtp_low, "RTP_HIGH": rtp_low + 198,
             "ENDPOINTS": ENDPOINTS}.items():
    cfg = cfg.replace("@%s@" % k, str(v))
with open(cfg_path, "w") as f:
    f.write(cfg)
log_path = os.path.join(work, "osmo-mgw.log")
log = open(log_path, "w")
mgw = subprocess.Popen(["osmo-mgw", "-s", "-c", cfg_path], stdout=log, stderr=subprocess.STDOUT, cwd=work)
try:
    up = mgcp_answers(addr, port)
    c.check("osmo-mgw up on %s:%d" % (addr, port), up, open(log_path).read()[-2000:])
    if up:
        t0 = time.monotonic()
        r = subprocess.run([PROBE, "--mg", "%s:%d" % (addr, port), "--local", addr, "--endpoint",
                            "rtpbridge/*@mgw", "--cycles", str(CYCLES)],
                           capture_output=True, text=True, timeout=120)
        took = time.monotonic() - t0
        out = r.stdout
        print(out, end="")
        if r.stderr:
            print(r.stderr[-2000:], end="")
        c.check("keepalive AUEP: health UP", "health state=UP" in out)
        c.check("AUEP answered 200", "auep endpoint=rtpbridge/*@mgw code=200" in out)
        m = re.search(r"crcx endpoint=(rtpbridge/[0-9a-f]+@mgw) connection_id=([0-9A-Fa-f]+) sdp_port=(\d+)", out)
        c.check("CRCX on rtpbridge/*: endpoint from Z:, connection id, SDP", m is not None)
        if m:
            c.check("SDP port inside the configured RTP range", rtp_low <= int(m.group(3)) <= rtp_low + 198,
                    m.group(3))
        c.check("MDCX answered 200", re.search(r"mdcx endpoint=\S+ code=200", out) is not None)
        c.check("DLCX answered 250", re.search(r"dlcx endpoint=\S+ code=250", out) is not None)
        c.check("%d create/delete cycles" % CYCLES, "cycles ok=%d failed=0" % CYCLES in out)
        c.check("AUEP after the cycles: no connection left",
                re.search(r"audit endpoints=\d+ leftover=0 errors=0", out) is not None)
        # Retransmissions may happen on a loaded machine (200 ms initial timer); losses may not.
        c.check("no timeout, nothing unparsable", re.search(r"timeouts=0 parse_errors=0 stray=\d+", out) is not None)
        c.check("probe exit 0", r.returncode == 0, "rc=%d" % r.returncode)
        c.check("probe well under 30 s", took < 30, "%.1fs" % took)

        show = vty(addr, "show mgcp")
        c.check("VTY: osmo-mgw holds no connection", "CONN:" not in show and
                show.count("No active connections") == ENDPOINTS, show[-1500:])
        stats = vty(addr, "show mgcp stats")
        crcx_ok = re.search(r"crcx:success:\s+(\d+)", stats)
        dlcx_ok = re.search(r"dlcx:success:\s+(\d+)", stats)
        c.check("VTY: crcx:success == dlcx:success == %d" % (CYCLES + 1),
                crcx_ok and dlcx_ok and int(crcx_ok.group(1)) == CYCLES + 1 and int(dlcx_ok.group(1)) == CYCLES + 1,
                (crcx_ok and crcx_ok.group(0), dlcx_ok and dlcx_ok.group(0)))
finally:
    mgw.terminate()
    try:
        rc = mgw.wait(5)
    except subprocess.TimeoutExpired:
        mgw.kill()
        rc = mgw.wait()
    log.close()
    c.check("osmo-mgw stopped", mgw.poll() is not None, "rc=%s" % rc)
    shutil.rmtree(work, ignore_errors=True)
c.finish()

"""Our MGCP client (mgcp-probe) against a real osmo-mgw started here on a
private loopback address: keepalive AUEP -> health UP, AUEP, CRCX on
rtpbridge/*@mgw (endpoint name from Z: and an SDP back), MDCX, DLCX, then 200
create/delete cycles on 8 endpoints (a leak would exhaust them), AUEP on every
endpoint used and osmo-mgw's own VTY view: no connection left."""
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time

from harness import BIN, SRC, Checks

PROBE = os.path.join(os.path.dirname(os.path.abspath(BIN)), "mgcp-probe")
TEMPLATE = os.path.join(SRC, "tests", "integration", "osmo-mgw", "osmo-mgw.cfg.in")
ENDPOINTS = 8
CYCLES = 200
VTY_PORT, CTRL_PORT = 4243, 4267  # fixed in osmo-mgw 1.10


def free_on(addr, port, kind):
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind((addr, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def pick_address():
    """A 127.x.y.z address where osmo-mgw's fixed TCP ports and our UDP port are free."""
    rng = random.Random()
    for _ in range(50):
        addr = "127.%d.%d.%d" % (rng.randint(100, 250), rng.randint(0, 255), rng.randint(2, 254))
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind((addr, 0))
        port = probe.getsockname()[1]
        probe.close()
        if all(free_on(addr, p, socket.SOCK_STREAM) for p in (VTY_PORT, CTRL_PORT)) and free_on(
                addr, port, socket.SOCK_DGRAM):
            return addr, port
    raise RuntimeError("no free loopback address")


def mgcp_answers(addr, port, timeout=5.0):
    """True once osmo-mgw answers an AUEP on its MGCP port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    deadline = time.monotonic() + timeout
    tid = 1
    try:
        while time.monotonic() < deadline:
            try:
                s.sendto(b"AUEP %d rtpbridge/*@mgw MGCP 1.0\r\n" % tid, (addr, port))
                data = s.recv(2048)
                if data.startswith(b"200 %d" % tid):
                    return True
            except OSError:
                pass
            tid += 1
            time.sleep(0.05)
        return False
    finally:
        s.close()


def vty(addr, command):
    """One VTY command's output."""
    with socket.create_connection((addr, VTY_PORT), timeout=3) as t:
        t.settimeout(0.5)
        buf = b""
        deadline = time.monotonic() + 3
        while b"OsmoMGW>" not in buf and time.monotonic() < deadline:
            try:
                buf += t.recv(65536)
            except socket.timeout:
                pass
        t.sendall(command.encode() + b"\r\n")
        out = b""
        deadline = time.monotonic() + 5
        while out.count(b"OsmoMGW>") < 1 and time.monotonic() < deadline:
            try:
                out += t.recv(65536)
            except socket.timeout:
                pass
        return out.decode(errors="replace")


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

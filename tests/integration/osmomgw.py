"""Real osmo-mgw for the tests, on a private loopback address: its VTY and CTRL
ports are fixed in osmo-mgw 1.10, so each run takes an address of its own."""
import os
import random
import socket
import subprocess
import tempfile
import time

from harness import SRC

TEMPLATE = os.path.join(SRC, "tests", "integration", "osmo-mgw", "osmo-mgw.cfg.in")
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
            time.sleep(0.05)  # retry period while osmo-mgw starts
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



def start(endpoints):
    """osmo-mgw with `endpoints` rtpbridge endpoints; returns (process, address, port, workdir, log path)."""
    addr, port = pick_address()
    rtp_low = 20000 + random.randint(0, 2000) * 2
    work = tempfile.mkdtemp(prefix="isupgw-osmo-mgw-")
    cfg_path = os.path.join(work, "osmo-mgw.cfg")
    with open(TEMPLATE) as f:
        cfg = f.read()
    for k, v in {"ADDR": addr, "PORT": port, "RTP_LOW": rtp_low, "RTP_HIGH": rtp_low + 198,
                 "ENDPOINTS": endpoints}.items():
        cfg = cfg.replace("@%s@" % k, str(v))
    with open(cfg_path, "w") as f:
        f.write(cfg)
    log_path = os.path.join(work, "osmo-mgw.log")
    log = open(log_path, "w")
    proc = subprocess.Popen(["osmo-mgw", "-s", "-c", cfg_path], stdout=log, stderr=subprocess.STDOUT, cwd=work)
    return proc, addr, port, work, log_path


def stop(proc):
    proc.terminate()
    try:
        return proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()

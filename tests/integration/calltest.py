"""Helpers for the call tests (test_call_*.py, test_tandem_*.py): free ports,
SIPp runs with the scenarios in tests/integration/sipp/, isup-peer scenarios in
a background thread, daemons whose ports are read from their logs, and the
circuit check at stop."""
import os
import re
import socket
import subprocess
import tempfile
import threading
import time

from harness import BIN, SRC, Daemon, run, wait_port, wait_until

SIPP = "/usr/bin/sipp"
SCEN = os.path.join(SRC, "tests", "integration", "sipp")
ISUP_PEER = os.path.join(os.path.dirname(os.path.abspath(BIN)), "isup-peer")


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 right now."""
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free port")


def scenario(name, status=None):
    """Path of a SIPp scenario; @STATUS@ replaced in a temporary copy when given."""
    path = os.path.join(SCEN, name)
    if status is None:
        return path
    with open(path) as f:
        text = f.read().replace("@STATUS@", str(status))
    fd, tmp = tempfile.mkstemp(prefix="sipp-", suffix=".xml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return tmp


def free_ports_at(addr, n):
    """n distinct UDP ports free on addr right now (SIPp's listeners on a test's own loopback address)."""
    ports = []
    for _ in range(50 * n):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((addr, 0))
        port = u.getsockname()[1]
        u.close()
        if port not in ports:
            ports.append(port)
        if len(ports) == n:
            return ports
    raise RuntimeError("no free port")


def scenario_copy(name, prefix="sipp-", replace=(), **subst):
    """A temporary copy of SIPp scenario NAME: each @KEY@ replaced by its value (REGEX goes into an XML
    attribute, so it is escaped; the rest goes into CDATA as is), then each (old, new) of `replace` once."""
    from xml.sax.saxutils import escape as xml_escape
    with open(os.path.join(SCEN, name)) as f:
        text = f.read()
    for k, v in subst.items():
        text = text.replace(f"@{k}@", xml_escape(v, {'"': "&quot;"}) if k == "REGEX" else v)
    for a, b in replace:
        assert a in text, a
        text = text.replace(a, b, 1)
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".xml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def sipp_args(scen, local_port, extra=()):
    sf = ["-sn", scen[3:]] if scen.startswith("sn:") else ["-sf", scen]
    return [SIPP] + sf + ["-i", "127.0.0.1", "-p", str(local_port), "-nostdin", "-timeout", "25", "-timeout_error",
                          "-max_recv_loops", "1000"] + list(extra)


def uas(scen, port, calls=1, extra=()):
    """SIPp UAS in the background, returned once it has bound its port."""
    p = subprocess.Popen(sipp_args(scen, port, ["-m", str(calls)] + list(extra)), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, cwd=tempfile.gettempdir())
    wait_port(port, "tcp" if "-t" in extra else "udp")
    return p


def uac(scen, target_port, service="4930123456", calls=1, extra=()):
    """SIPp UAC to 127.0.0.1:target_port; returns (exit code, stderr)."""
    r = subprocess.run(sipp_args(scen, free_port(), ["-s", service, "-m", str(calls)] + list(extra)) +
                       [f"127.0.0.1:{target_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=60, cwd=tempfile.gettempdir())
    return r.returncode, r.stderr


def wait_uas(p, timeout=30):
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def sip_port(d, transport="udp"):
    line = d.wait_for(rf"sip listening transport={transport} address=127.0.0.1 port=(\d+)")
    return int(re.search(r"port=(\d+)", line).group(1)) if line else 9


def m3ua_port(d, link):
    line = d.wait_for(rf"m3ua listening link={link} transport=tcp address=127.0.0.1 port=(\d+)")
    return int(re.search(r"port=(\d+)", line).group(1)) if line else 9


def wait_circuits_reset(d, timeout=15):
    """True once the gateway's own circuit resets are done: it queued its paced group
    resets (recovery.reset_queued ... jobs=N), sent N GRS and got a GRA for each
    (Q.764 2.9.3). The daemon must log `isup: debug` (the isup tx/rx lines)."""
    def done():
        if d.proc.poll() is not None:
            return False
        jobs = [int(m.group(1)) for l in d.lines if (m := re.search(r" isup recovery.reset_queued group=\S+ jobs=(\d+)", l))]
        grs = {m.groups() for l in d.lines if (m := re.search(r" isup tx group=(\S+) cic=(\d+) msg=GRS", l))}
        gra = {m.groups() for l in d.lines if (m := re.search(r" isup rx group=(\S+) cic=(\d+) msg=GRA", l))}
        return bool(jobs) and len(grs) >= max(jobs) and grs <= gra

    return wait_until(done, timeout) is not None


def circuits_idle(d):
    """After stop: the gateway reported every trunk group with busy=0."""
    lines = [l for l in d.lines if " isup circuits " in l]
    return bool(lines) and all(" busy=0" in l for l in lines), lines


class IsupPeer:
    """isup-peer playing `script` (scenario text) against the gateway's M3UA/TCP
    port, in a background thread while the test drives the SIP side."""

    def __init__(self, script, m3ua_port, timeout=60, opc=200, dpc=100, host="127.0.0.1", args=()):
        fd, self._path = tempfile.mkstemp(prefix="isup-peer-", suffix=".txt")
        with os.fdopen(fd, "w") as f:
            f.write(script)
        self.result = None
        argv = [ISUP_PEER, "--m3ua-connect", f"{host}:{m3ua_port}", "--opc", str(opc), "--dpc", str(dpc),
                "--timeout", str(timeout)] + list(args) + [self._path]
        self._thread = threading.Thread(target=self._run, args=(argv,))
        self._thread.start()

    def _run(self, argv):
        self.result = run(argv)

    def running(self):
        return self._thread.is_alive()

    def join(self, timeout=None):
        """Waits for isup-peer; True if its scenario passed ("1 passed, 0 failed")."""
        self._thread.join(timeout)
        r = self.result
        return r is not None and r.returncode == 0 and "1 passed, 0 failed" in r.stdout

    def output(self):
        return self.result.stdout + self.result.stderr if self.result else "no result"

    def cleanup(self):
        os.unlink(self._path)

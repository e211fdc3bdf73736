"""Small helpers for integration tests: locate the binary, run the daemon,
wait for log events, ports and conditions (never a fixed sleep), count
passes/failures in the 'N passed, N failed' style, skip honestly (exit 77)."""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.environ.get("ISUPGW_BIN", "build/bin/isupgw")
SRC = os.environ.get("ISUPGW_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


class Daemon:
    """`isupgw run` in the background with its log lines collected."""

    def __init__(self, config_text=None, args=None, cwd=None):
        self.lines = []
        self._cond = threading.Condition()
        self.config_path = None
        argv = [BIN, "run"]
        if config_text is not None:
            fd, self.config_path = tempfile.mkstemp(prefix="isupgw-", suffix=".yaml")
            with os.fdopen(fd, "w") as f:
                f.write(config_text)
            argv += ["--config", self.config_path]
        argv += args or []
        self.proc = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=cwd)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, pattern, timeout=10.0, start=0):
        """First log line (from index `start`) matching regex `pattern`, or None."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    if rx.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    return None
                self._cond.wait(min(left, 0.1))

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=5.0):
        """SIGTERM; returns (exit code, seconds taken)."""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = None
        self._reader.join(2)
        return rc, time.monotonic() - t0

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.config_path:
            os.unlink(self.config_path)


class Checks:
    """Collects named checks; prints 'N passed, N failed' and exits non-zero on failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}")
        sys.stdout.flush()
        return ok

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed or not self.passed else 0)

    def skip(self, reason):
        """The test cannot run here: ctest reports it as skipped (SKIP_RETURN_CODE 77), never as
        passed, and a CI run fails on it unless the test is labelled may_skip."""
        print(f"SKIPPED: {reason} ({self.passed} passed, {self.failed} failed before)")
        sys.stdout.flush()
        sys.exit(1 if self.failed else SKIP)


SKIP = 77  # ctest SKIP_RETURN_CODE of every integration test


def wait_until(predicate, timeout=10.0, interval=0.05):
    """Polls predicate() until it returns something truthy (returned) or timeout (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def _bound_ports(proto):
    """Local ports of the sockets in /proc/net/<proto>{,6}; TCP: listening sockets only."""
    ports = set()
    for path in (f"/proc/net/{proto}", f"/proc/net/{proto}6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if proto == "tcp" and fields[3] != "0A":  # 0A: LISTEN
                        continue
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return ports


def wait_port(port, proto="udp", timeout=10.0):
    """True once some process has a `proto` socket bound to `port` (TCP: listening), e.g. a
    peer (SIPp, stunnel, isup-peer) that is ready for us; False after timeout."""
    return wait_until(lambda: port in _bound_ports(proto), timeout) is not None


class Capture:
    """dumpcap on lo writing a pcap, for tshark to judge afterwards.

    Returns from the constructor once dumpcap reports its capture started (its "File:" line;
    tshark's "Capturing on" comes earlier, before packets are caught). dumpcap writes each
    packet as it takes it from the kernel, up to ~0.25 s late, and drops what it has not taken
    when stopped: stop() first sends a marker datagram to `marker` (a UDP address the filter
    `bpf` lets through) until the marker is in the file, so every packet before it is too.
    stop() is True only if the marker came and dumpcap reports no packet dropped (`dropped`)."""

    MARKER = b"isupgw-capture-marker"

    def __init__(self, path, bpf, marker, timeout=10.0, buffer_mib=64):
        self.path, self.marker, self.dropped, self.stats = path, marker, None, ""
        self.proc = subprocess.Popen(["dumpcap", "-P", "-B", str(buffer_mib), "-i", "lo", "-f", bpf, "-w", path],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.started = wait_until(lambda: (self.proc.stderr.readline() or "EOF").startswith(("File:", "EOF")),
                                  timeout, 0) and self.proc.poll() is None

    def _has_marker(self, sock):
        sock.sendto(self.MARKER, self.marker)
        try:
            with open(self.path, "rb") as f:
                return self.MARKER in f.read()
        except OSError:
            return False

    def stop(self, timeout=10.0):
        """Waits for the marker, stops dumpcap; True if the marker came and nothing was dropped."""
        seen = False
        if self.proc.poll() is None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                seen = wait_until(lambda: self._has_marker(s), timeout, 0.02) is not None
            self.proc.send_signal(signal.SIGINT)
            try:
                self.stats = self.proc.communicate(timeout=10)[1]
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.stats = self.proc.communicate()[1]
            # "Packets received/dropped on interface 'Loopback: lo': 6300/0 (pcap:0/dumpcap:0/flushed:0/...)"
            m = re.search(r"received/dropped on interface .*?: (\d+)/(\d+)", self.stats)
            self.dropped = int(m.group(2)) if m else None
            print(f"dumpcap: {self.stats.strip().splitlines()[-1] if self.stats.strip() else 'no statistics'}")
        return seen and self.dropped == 0


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)


def sim_exchange_gateway(sim_port, ring_ms, extra=""):
    """The configuration of one gateway between SIP (trunk `local`, any 127/8 source) and its simulated exchange
    over M3UA/TCP (trunk group `exchange`, CICs 1-31, OPC 0-0-1, DPC 0-0-2; the exchange answers after ring_ms);
    `extra` is appended as further top-level sections (management, cdr, ...)."""
    return f"""
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
ss7:
  m3ua_links: [{{name: to-exchange, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {sim_port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: default, links: [to-exchange]}}]
  trunk_groups: [{{name: exchange, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}}]
  simulated_exchanges: [{{name: sim, listen: {{address: 127.0.0.1, port: {sim_port}}}, opc: 0-0-2, dpc: 0-0-1,
                         cics: ["1-31"], ring_ms: {ring_ms}}}]
routes: [{{prefix: "", from: local, targets: [{{trunk_group: exchange}}]}}]
{extra}"""


def isup_peer_ss7(cics, group_options=""):
    """The `ss7:` section of a gateway (point code 100) facing isup-peer (point code 200, its default) over
    M3UA/TCP: the gateway is the IPSP server on a free port (logged as `m3ua_port=`), with one trunk group
    `tg-peer` over `cics`; `group_options` adds members to that group (e.g. "overlap: true")."""
    options = f", {group_options}" if group_options else ""
    return f"""ss7:
  point_code_format: decimal
  m3ua_links: [{{name: peer, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 200, links: [peer]}}]
  trunk_groups: [{{name: tg-peer, opc: 100, dpc: 200, cics: ["{cics}"]{options}}}]
"""

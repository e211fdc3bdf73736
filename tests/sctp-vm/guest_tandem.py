"""What the guest scripts of a two-node SIP -> ISUP -> SIP tandem in the VM share
(guest_isupgw_m2pa.py, guest_isupgw_multihome.py): the isupgw node logging into a file,
SIPp and its statistics, the counters a node logs at stop, and the host-side verdict that
every ISUP message one node sent reached the other exactly once (tshark's count of the wire
against each node's own tx/rx lines)."""
import collections
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import BIN  # noqa: E402
import wire  # noqa: E402

SIPP = "/usr/bin/sipp"


class Node:
    """`isupgw run` logging straight into a file (no pipe a busy test could stall under
    TCG), read incrementally: lines, wait_for(pattern, timeout, start), stop()."""

    def __init__(self, name, config_text, folder):
        self.config_path = os.path.join(folder, name + ".yaml")
        self.log_path = os.path.join(folder, name + ".log")
        with open(self.config_path, "w") as f:
            f.write(config_text)
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([BIN, "run", "--config", self.config_path], stderr=log,
                                         stdout=subprocess.DEVNULL)
        self.lines, self._pos, self._partial = [], 0, ""

    def refresh(self):
        with open(self.log_path, errors="replace") as f:
            f.seek(self._pos)
            data = f.read()
            self._pos = f.tell()
        parts = (self._partial + data).split("\n")
        self._partial = parts.pop()
        self.lines.extend(parts)

    def wait_for(self, pattern, timeout=10.0, start=0):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        i = start
        while True:
            self.refresh()
            for line in self.lines[i:]:
                if rx.search(line):
                    return line
            i = max(i, len(self.lines))
            if time.monotonic() > deadline or self.proc.poll() is not None:
                return None
            time.sleep(0.05)

    def stop(self, timeout=15.0):
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = None
        self.refresh()
        return rc, time.monotonic() - t0

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def sipp(args, out):
    return subprocess.Popen([SIPP] + args + ["-i", "127.0.0.1", "-nostdin", "-timeout", "60", "-timeout_error",
                                             "-max_recv_loops", "1000"],
                            stdout=out, stderr=subprocess.STDOUT, cwd=tempfile.gettempdir())


def counter(d, name):
    """The value of counter NAME in the node's stop-time counter dump (0 when absent)."""
    for l in d.lines:
        m = re.search(r"counter name=%s value=(\d+)" % re.escape(name), l)
        if m:
            return int(m.group(1))
    return 0


def sipp_stats(path):
    with open(path, errors="replace") as f:
        text = f.read()
    stats = {}
    for key in ("Successful call", "Failed call"):
        found = re.findall(r"%s\s*\|\s*\d+\s*\|\s*(\d+)" % key, text)
        stats[key] = int(found[-1]) if found else None
    return stats


def isup(d, direction):
    """Multiset of (CIC, message type) from the node's 'isup tx|rx' log lines."""
    return wire.log_isup(d.lines, direction)


def check_each_delivered_once(c, logs, to_b, to_a, min_sent):
    """tshark's ISUP messages delivered to B and to A (multisets of (CIC, type)) against what each node
    logged as sent and received: every message sent reached the other node exactly once."""
    for src, dst, delivered in (("A", "B", to_b), ("B", "A", to_a)):
        sent = wire.log_isup(logs[src], "tx")
        c.check(f"tshark: every ISUP message {src} sent reached {dst} exactly once (per CIC and type)",
                sum(sent.values()) >= min_sent and sent == delivered,
                (sum(sent.values()), sum(delivered.values()), wire.diff(sent, delivered)))
        received = wire.log_isup(logs[dst], "rx")
        c.check(f"tshark: what {dst} logged as received is what the wire delivered to it", received == delivered,
                wire.diff(received, delivered))
        print(f"{src} -> {dst}: {sum(sent.values())} ISUP messages sent, {sum(delivered.values())} delivered, "
              f"by type {dict(collections.Counter(k[1] for k in delivered.elements()))}")

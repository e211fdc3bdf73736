"""The Erlang/OTP megaco media gateway of tests/integration/h248_mg (Debian
erlang-megaco) as a child process: it registers with the MGC by ServiceChange,
answers Add/Modify/Subtract/AuditValue, and takes commands on stdin."""
import os
import re
import select
import socket
import subprocess
import threading
import time

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h248_mg", "h248_mg.escript")


class H248Mg:
    def __init__(self, local_ip, local_port, mgc_ip, mgc_port):
        self.port = local_port
        # Every output line is kept: expect() takes the first unconsumed match and
        # leaves the lines it looked past for a later expect().
        self.lines = []
        self._taken = set()
        self._eof = False
        self._cv = threading.Condition()
        self.proc = subprocess.Popen(["escript", SCRIPT, local_ip, str(local_port), mgc_ip, str(mgc_port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self._cv:
                self.lines.append(line.strip())
                self._cv.notify_all()
        with self._cv:
            self._eof = True
            self._cv.notify_all()

    def expect(self, prefix, timeout=30):
        """The first not yet taken output line starting with `prefix` (it is then taken), or
        None after `timeout` seconds or once the MG has exited."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for i, line in enumerate(self.lines):
                    if i not in self._taken and line.startswith(prefix):
                        self._taken.add(i)
                        return line
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    return None
                self._cv.wait(left)

    def command(self, cmd, answer_prefix, timeout=30):
        try:
            self.proc.stdin.write(cmd + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            return None
        return self.expect(answer_prefix, timeout)

    def contexts(self):
        """(contexts, terminations) as the MG itself counts them."""
        line = self.command("contexts", "contexts ")
        if not line:
            return None
        parts = line.split()
        return int(parts[1]), int(parts[3])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Relay:
    """A UDP hop between the gateway and the MG that can lose time: every datagram is passed on at once, except
    that after hold_next_add(seconds) the MG's reply to the next Add of a TDM termination -- and its repeats
    of that reply, answering our retransmissions from megaco's own reply cache -- are held back that long and
    then delivered. The MG has made the context; only the reply is late, as on a congested network. The
    gateway is configured with (ip, gw_side_port) as the MG's address, the MG with (ip, mg_side_port) as the
    MGC's."""

    def __init__(self, ip, gw_addr, mg_addr):
        self.gw_addr, self.mg_addr = gw_addr, mg_addr
        self.gw_side = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.gw_side.bind((ip, 0))
        self.mg_side = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.mg_side.bind((ip, 0))
        self.gw_side_port = self.gw_side.getsockname()[1]
        self.mg_side_port = self.mg_side.getsockname()[1]
        self._hold = None  # seconds to hold the next Add's reply for
        self._held_tid = None
        self._until = 0.0
        self._queue = []  # (release time, bytes)
        self.held = 0  # datagrams held back
        self.released = threading.Event()
        self._stop = False
        threading.Thread(target=self._run, daemon=True).start()

    def hold_next_add(self, seconds):
        self._hold = seconds

    def _from_mg(self, data):
        text = data.decode("latin-1")
        m = re.search(r"Reply\s*=\s*(\d+)", text)
        if m and self._hold is not None and self._held_tid is None and re.search(r"Add\s*=\s*tdm/", text):
            self._held_tid, self._until = m.group(1), time.monotonic() + self._hold
        if m and m.group(1) == self._held_tid:
            self.held += 1
            self._queue.append((self._until, data))
            return
        self.gw_side.sendto(data, self.gw_addr)

    def _run(self):
        while not self._stop:
            now = time.monotonic()
            for t, data in [q for q in self._queue if q[0] <= now]:
                self._queue.remove((t, data))
                self.gw_side.sendto(data, self.gw_addr)
                self.released.set()
            r, _, _ = select.select([self.gw_side, self.mg_side], [], [], 0.05)
            for s in r:
                data, _ = s.recvfrom(65535)
                if s is self.gw_side:
                    self.mg_side.sendto(data, self.mg_addr)
                else:
                    self._from_mg(data)

    def stop(self):
        self._stop = True

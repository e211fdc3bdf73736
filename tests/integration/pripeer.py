"""pri-peer (tools/pri-peer: libpri as a scriptable PBX on mg-sim's LAPD socket) driven over
its stdin: start/stop, send a command, wait for an event line, read its status."""
import os
import queue
import re
import subprocess
import threading
import time

from harness import BIN

PRI_PEER = os.path.join(os.path.dirname(os.path.abspath(BIN)), "pri-peer")


class PriPeer:
    def __init__(self, lapd_path, *args):
        """`args`: pri-peer's options after --lapd (e.g. "--side", "user", "--auto", "answer")."""
        self.proc = subprocess.Popen([PRI_PEER, "--lapd", lapd_path] + list(args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.lines = []  # every line pri-peer printed
        self._cursor = 0
        self._q = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self._q.put(line.rstrip("\n"))
        self._q.put(None)

    def _next(self, deadline):
        try:
            line = self._q.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return False
        if line is None:
            return False
        self.lines.append(line)
        return True

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def wait(self, name, *words, timeout=10.0):
        """The first line since the last one matched whose first word is `name` and that has every
        word in `words` (e.g. wait("RING", "channel=1")); None after `timeout`. DCHAN UP: wait("DCHAN", "UP")."""
        deadline = time.monotonic() + timeout
        while True:
            while self._cursor < len(self.lines):
                w = self.lines[self._cursor].split()
                self._cursor += 1
                if w and w[0] == name and all(x in w[1:] for x in words):
                    return self.lines[self._cursor - 1]
            if not self._next(deadline):
                return None

    @staticmethod
    def field(line, key):
        m = re.search(r"(?:^|\s)%s=(\S+)" % re.escape(key), line or "")
        return m.group(1) if m else None

    def status(self, timeout=5.0):
        """libpri's view: {"channels", "busy", "idle", "libpri_calls", counters...} and the BUSY lines."""
        self.send("status")
        line = self.wait("STATUS", timeout=timeout)
        if line is None:
            return None, []
        st = {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", line)}
        busy = []
        while st.get("busy", 0) > len(busy):  # the BUSY lines follow STATUS at once
            b = self.wait("BUSY", timeout=timeout)
            if b is None:
                break
            busy.append(b)
        return st, busy

    def idle(self, timeout=10.0):
        """Waits until no B channel is busy in pri-peer's view and libpri has no call record; the
        last status, or None if that did not happen within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            st, _ = self.status()
            if st and st.get("busy") == 0 and st.get("libpri_calls") == 0:
                return st
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(5)
            except (subprocess.TimeoutExpired, BrokenPipeError):
                self.proc.kill()
                self.proc.wait()


def stop_mg_sim(sim):
    """Ends an `mg-sim --iua` started with a stdin pipe: `quit`, then kill if it does not go within 5 s."""
    if sim.poll() is not None:
        return
    try:
        sim.stdin.write("quit\n")
        sim.stdin.flush()
        sim.wait(5)
    except (subprocess.TimeoutExpired, BrokenPipeError):
        sim.kill()
        sim.wait()

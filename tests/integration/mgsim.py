"""mg-sim (our MGCP media gateway simulator on UDP) driven over its stdin
control channel, for the tests that need an MG that can be told to fail."""
import os
import re
import subprocess
import threading

from harness import BIN

SIM = os.path.join(os.path.dirname(os.path.abspath(BIN)), "mg-sim")


class MgSim:
    def __init__(self, domain, *args):
        self.proc = subprocess.Popen([SIM, "--port", "0", "--domain", domain] + list(args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        line = self.proc.stdout.readline()
        m = re.search(r"mg-sim ready address=(\S+) port=(\d+)", line)
        self.port = int(m.group(2)) if m else None
        self.first_line = line
        self._lock = threading.Lock()

    def control(self, line, timeout=5):
        """One control line and its one-line answer (None if none within `timeout`)."""
        with self._lock:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            result = []
            t = threading.Thread(target=lambda: result.append(self.proc.stdout.readline().strip()), daemon=True)
            t.start()
            t.join(timeout)
            return result[0] if result else None

    def stats(self):
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", self.control("stats") or "")}

    def connections(self):
        return self.stats().get("connections", -1)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.control("quit")
                self.proc.wait(5)
            except (subprocess.TimeoutExpired, BrokenPipeError):
                self.proc.kill()
                self.proc.wait()

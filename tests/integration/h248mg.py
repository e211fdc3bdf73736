"""The Erlang/OTP megaco media gateway of tests/integration/h248_mg (Debian
erlang-megaco) as a child process: it registers with the MGC by ServiceChange,
answers Add/Modify/Subtract/AuditValue, and takes commands on stdin."""
import os
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

"""The Erlang/OTP megaco media gateway of tests/integration/h248_mg (Debian
erlang-megaco) as a child process: it registers with the MGC by ServiceChange,
answers Add/Modify/Subtract/AuditValue, and takes commands on stdin."""
import os
import queue
import subprocess
import threading

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h248_mg", "h248_mg.escript")


class H248Mg:
    def __init__(self, local_ip, local_port, mgc_ip, mgc_port):
        self.port = local_port
        self.lines = queue.Queue()
        self.proc = subprocess.Popen(["escript", SCRIPT, local_ip, str(local_port), mgc_ip, str(mgc_port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def expect(self, prefix, timeout=30):
        """The next output line starting with `prefix` (other lines skipped), or None."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return None
            if line is None:
                return None
            if line.startswith(prefix):
                return line

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

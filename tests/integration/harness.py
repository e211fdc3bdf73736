"""Small helpers for integration tests: locate the binary, run the daemon,
wait for log events, count passes/failures in the 'N passed, N failed' style."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.environ.get("ISUPGW_BIN", "build/bin/isupgw")
SRC = os.environ.get("ISUPGW_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


class Daemon:
    """`isupgw run` in the background with its log lines collected."""

    def __init__(self, config_text=None, args=None):
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
        self.proc = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
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


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)

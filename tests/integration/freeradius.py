"""A real FreeRADIUS (Debian freeradius) for the RADIUS accounting tests: its own config in a temp dir, a
loopback port, one client (127.0.0.1, the shared secret), the `detail` module as the record of what it
accepted (FreeRADIUS's own decode, after its check of the Request Authenticator). Stopped and started again
on the same port and detail file to play a server outage."""
import os
import re
import shutil
import subprocess

from harness import wait_until

FREERADIUS = shutil.which("freeradius") or shutil.which("radiusd")


class FreeRadius:
    def __init__(self, tmp, port, secret):
        self.tmp = tmp
        self.port = port
        self.detail = os.path.join(tmp, "detail")
        self.proc = None
        self.log_path = None
        self.starts = 0
        with open(os.path.join(tmp, "radiusd.conf"), "w", encoding="utf-8") as f:
            f.write(f"""prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = {tmp}
raddbdir = {tmp}
radacctdir = {tmp}
name = radiusd
confdir = {tmp}
run_dir = {tmp}
libdir = /usr/lib/freeradius
dictdir = /usr/share/freeradius
pidfile = {tmp}/radiusd.pid
correct_escapes = true
max_request_time = 30
cleanup_delay = 5
max_requests = 4096
hostname_lookups = no
log {{
  destination = stdout
}}
security {{
  allow_core_dumps = no
}}
thread pool {{
  start_servers = 1
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 4
}}
modules {{
  detail {{
    filename = {self.detail}
    header = "%t"
    permissions = 0600
  }}
}}
client gateway {{
  ipaddr = 127.0.0.1
  secret = {secret}
}}
server acct {{
  listen {{
    type = acct
    ipaddr = 127.0.0.1
    port = {port}
  }}
  preacct {{
  }}
  accounting {{
    detail
  }}
}}
""")

    def start(self, timeout=20):
        """Starts FreeRADIUS; True once it says it is ready."""
        self.starts += 1
        self.log_path = os.path.join(self.tmp, f"radiusd-{self.starts}.out")
        log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen([FREERADIUS, "-X", "-d", self.tmp, "-f"], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return wait_until(lambda: "Ready to process requests" in self.log(), timeout)

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self, crash=False):
        """SIGTERM, or SIGKILL with crash=True: an outage where nothing half-done is finished (on SIGTERM
        FreeRADIUS may record a request it then does not answer, which the client must send again)."""
        if self.proc is None:
            return
        if crash:
            self.proc.kill()
        else:
            self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def records(self):
        """The detail file: one dict per request (attribute -> value, quotes removed), in arrival order."""
        try:
            with open(self.detail, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            return []
        out = []
        for block in text.split("\n\n"):
            attrs = dict(m.groups() for m in re.finditer(r"^\s+([\w-]+) = \"?(.*?)\"?$", block, re.M))
            if attrs:
                out.append(attrs)
        return out

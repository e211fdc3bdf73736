"""README command (a): `isupgw run` with no --config runs the embedded default,
listening for SIP on 127.0.0.1:5060 over UDP and TCP, serving the management
API on 127.0.0.1:9180 (its url logged; /metrics passes `promtool check metrics`,
Prometheus' own linter) and the VTY on 127.0.0.1:4290, writes call detail records
into ./cdr (named, absolute, in one line at start; one SIPp call gives one CSV and
one JSON record, cause 16, SIP status 200) and its call trace (pcapng in ./cdr, the call's ladder page
served), and stops on SIGTERM; with 5060 taken
it exits 1 naming the port.

5060 is a fixed, well-known port: the test re-runs itself in a network namespace of
its own (`unshare -n`, loopback up), where 5060 is free whatever else runs on this
machine. Where no namespace can be made it runs here, and if 5060 is busy here it
is skipped (exit 77, reported as a skip), never passed."""
import csv
import os
import shutil
import socket
import json
import subprocess
import sys
import tempfile
import urllib.request

from calltest import uac
from harness import Checks, Daemon, wait_until
from vty import Vty

NETNS = "ISUPGW_TEST_NETNS"
if os.environ.get(NETNS) != "1" and shutil.which("unshare") and shutil.which("ip"):
    probe = subprocess.run(["unshare", "-n", "ip", "link", "set", "lo", "up"], capture_output=True)
    if probe.returncode == 0:
        sys.stdout.flush()
        os.execvpe("unshare", ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", sys.executable] +
                   sys.argv, dict(os.environ, **{NETNS: "1"}))


def port_free():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 5060))
        return True
    except OSError:
        return False
    finally:
        s.close()


c = Checks()
print("in a network namespace of its own" if os.environ.get(NETNS) == "1" else
      "no network namespace could be made: running in the machine's own")
if not port_free():
    c.skip("port 5060 is in use on this machine and no network namespace could be made")
workdir = tempfile.mkdtemp(prefix="isupgw-default-")
d = Daemon(cwd=workdir)
try:
    c.check("embedded default ready", d.wait_for(r"core ready sip_listeners=2") is not None, d.lines)
    c.check("udp 127.0.0.1:5060", d.wait_for(r"listening transport=udp address=127.0.0.1 port=5060") is not None)
    c.check("tcp 127.0.0.1:5060", d.wait_for(r"listening transport=tcp address=127.0.0.1 port=5060") is not None)
    s = socket.create_connection(("127.0.0.1", 5060), timeout=3)
    s.close()
    c.check("source is the embedded default", any("config=\"<embedded default>\"" in l for l in d.lines))
    c.check("management url logged", d.wait_for(r"core management url=http://127\.0\.0\.1:9180 ") is not None,
            [l for l in d.lines if "management" in l])
    with urllib.request.urlopen("http://127.0.0.1:9180/trunk-groups", timeout=5) as r:
        groups = json.load(r)
    c.check("GET /trunk-groups: the exchange group, 31 circuits",
            [(g["name"], g["circuits"]) for g in groups] == [("exchange", 31)], groups)
    with urllib.request.urlopen("http://127.0.0.1:9180/metrics", timeout=5) as r:
        ctype, metrics = r.headers["Content-Type"], r.read()
    c.check("GET /metrics: text format 0.0.4", ctype.startswith("text/plain; version=0.0.4"), ctype)
    if shutil.which("promtool"):
        lint = subprocess.run(["promtool", "check", "metrics"], input=metrics, capture_output=True)
        # promtool's linter also reports style hints (exit 3); the exposition must parse (no "error").
        c.check("promtool parses /metrics", lint.returncode in (0, 3) and b"error" not in lint.stderr.lower(),
                (lint.returncode, lint.stderr[-400:]))
    else:
        c.skip("promtool is not installed (Debian prometheus; scripts/setup.sh)")
    # The VTY on loopback, its port in one line at start (issue 16); the prompt answers on telnet.
    c.check("VTY on 127.0.0.1:4290", d.wait_for(r"core vty_listening address=127.0.0.1 port=4290$") is not None,
            d.lines[-5:])
    v = Vty(4290)
    c.check("VTY: show trunks names the demo trunk group", any(l.startswith("Trunk group exchange:") for l in
                                                                 v.cmd("show trunks")), v.banner)
    v.close()
    # CDRs (issue 17): ./cdr of the working directory, named absolute in one line at start.
    cdr_dir = os.path.join(os.path.realpath(workdir), "cdr")
    line = d.wait_for(r"core cdr_files ")
    c.check("one line at start names ./cdr and both files", line is not None and f"directory={cdr_dir} " in line
            and "cdr.csv" in line and "cdr.jsonl" in line, line)
    def circuits_idle():
        with urllib.request.urlopen("http://127.0.0.1:9180/trunk-groups", timeout=5) as r:
            g = json.load(r)
        return bool(g) and all(x["idle"] == x["circuits"] and x["resetting"] == 0 for x in g)
    c.check("demo exchange circuits reset (GET /trunk-groups: all idle)", wait_until(circuits_idle, 15), d.lines[-5:])
    rc, err = uac("sn:uac", 5060, calls=1)
    c.check("SIPp: one call answered by the demo exchange", rc == 0, err[-400:])

    def records():
        with open(os.path.join(cdr_dir, "cdr.csv"), encoding="utf-8") as f:
            return list(csv.DictReader(f))
    c.check("one CSV record", wait_until(lambda: len(records()) == 1, 10), records())
    recs = records()
    if recs:
        c.check("the CSV record: cause 16, SIP status 200, answered", recs[0]["cause"] == "16" and
                recs[0]["sip_status"] == "200" and recs[0]["answer"] != "", recs[0])
    def json_records():
        with open(os.path.join(cdr_dir, "cdr.jsonl"), encoding="utf-8") as f:
            return [json.loads(l) for l in f]
    # The writer thread writes the CSV batch, then the JSON one.
    wait_until(lambda: len(json_records()) == 1, 10)
    jrecs = json_records()
    c.check("one JSON record, the same call", len(jrecs) == 1 and recs and
            str(jrecs[0].get("call_id")) == recs[0]["call_id"], jrecs)
    # The call trace (issue 17): pcapng files in the same ./cdr, the call's ladder page served.
    line = d.wait_for(r"core trace_files ")
    c.check("one line at start names the trace file in ./cdr", line is not None and f"directory={cdr_dir} " in line
            and ".pcapng" in line, line)
    call = recs[0]["call_id"] if recs else "0"

    def ladder():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:9180/calls/{call}/ladder", timeout=5) as r:
                page = r.read().decode()
        except OSError:
            return None
        return page if ">IAM CIC" in page and ">RLC CIC" in page else None
    page = wait_until(ladder, 10)
    c.check("GET /calls/{id}/ladder: the call's page, INVITE to RLC", page is not None and ">INVITE<" in page,
            page[-300:] if page else None)
    rc, took = d.stop()
    c.check("SIGTERM: exit 0", rc == 0, rc)
    c.check("SIGTERM: under 2 s", took < 2.0, took)
finally:
    d.cleanup()
    shutil.rmtree(workdir, ignore_errors=True)

# 5060 taken (UDP here): the embedded default cannot start; exit 1, saying which port.
busy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
busy.bind(("127.0.0.1", 5060))
d = Daemon(cwd=tempfile.gettempdir())
try:
    try:
        rc = d.proc.wait(10)
    except subprocess.TimeoutExpired:
        rc = None
    d.stop()
    c.check("5060 busy: exit 1", rc == 1, (rc, d.lines[-5:]))
    c.check("5060 busy: the error names the port", any("5060" in l for l in d.lines), d.lines[-5:])
finally:
    d.cleanup()
    busy.close()
c.finish()

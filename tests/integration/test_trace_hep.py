"""HEPv3 export (issue 17): a real HEP collector, Debian's sngrep (`sngrep -N -q -L udp:127.0.0.1:PORT -O out.pcap`,
with no capture device: it records only what arrives as HEP), receives
every SIP message of 100 SIPp calls through the gateway (SIP -> ISUP over M3UA to its simulated exchange).

The verdict: tshark reads sngrep's pcap; per Call-ID, the SIP messages (start lines, in order) are exactly those
SIPp's -trace_msg log shows for that call, for all 100 calls."""
import collections
import os
import re
import shutil
import signal
import subprocess
import tempfile

from calltest import free_port, sip_port, sipp_args, wait_circuits_reset
from harness import Checks, Daemon, sim_exchange_gateway, wait_port, wait_until

CALLS = 100
c = Checks()
for tool in ("sngrep", "tshark"):
    if shutil.which(tool) is None:
        print(f"SKIP: {tool} not installed (scripts/setup.sh installs it)")
        raise SystemExit(77)
tmp = tempfile.mkdtemp(prefix="isupgw-hep-")
HEP_PORT = free_port()
SIM_PORT = free_port()
GW = sim_exchange_gateway(SIM_PORT, ring_ms=100, extra=f"""
trace: {{directory: {tmp}/trace, hep: {{address: 127.0.0.1, port: {HEP_PORT}}}}}
""")
out_pcap = os.path.join(tmp, "sngrep.pcap")
sngrep = subprocess.Popen(["sngrep", "-N", "-q", "-L", f"udp:127.0.0.1:{HEP_PORT}", "-O", out_pcap],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp)


def sipp_calls(path):
    """SIPp's -trace_msg log: Call-ID -> [start line label] in its order."""
    calls = collections.defaultdict(list)
    with open(path, errors="replace") as f:
        text = f.read()
    for m in re.finditer(r"message (?:sent|received)[^\n]*\n\n([^\r\n]+)\r?\n(.*?)\r?\n\r?\n", text, re.S):
        first, headers = m.group(1), m.group(2)
        cid = re.search(r"^(?:Call-ID|i):\s*(\S+)", headers, re.M | re.I)
        label = re.match(r"SIP/2.0 (\d{3})", first)
        calls[cid.group(1) if cid else "?"].append(label.group(1) if label else first.split(" ")[0])
    return calls


def sngrep_calls():
    r = subprocess.run(["tshark", "-r", out_pcap, "-Y", "sip", "-T", "fields", "-E", "separator=\t", "-e", "sip.Call-ID",
                        "-e", "sip.Method", "-e", "sip.Status-Code"], capture_output=True, text=True, timeout=60)
    calls = collections.defaultdict(list)
    for line in r.stdout.splitlines():
        cid, method, status = (line.split("\t") + ["", "", ""])[:3]
        calls[cid].append(method or status)
    return calls


d = Daemon(GW)
try:
    c.check("sngrep listens for HEP", wait_port(HEP_PORT, "udp"), sngrep.stderr.read() if sngrep.poll() else "")
    line = d.wait_for(r"trace_files", 10)
    c.check("the trace_files line names the HEP collector", line is not None and f"127.0.0.1:{HEP_PORT}" in line, line)
    port = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    msgs = os.path.join(tmp, "sipp_msgs.log")
    r = subprocess.run(sipp_args("sn:uac", free_port(), ["-s", "4930123456", "-m", str(CALLS), "-r", "50", "-l", "30",
                                                         "-trace_msg", "-message_file", msgs]) + [f"127.0.0.1:{port}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp)
    c.check(f"SIPp: {CALLS} answered calls", r.returncode == 0, r.stderr[-500:])
    expected = sipp_calls(msgs)
    c.check(f"SIPp's log: {CALLS} Call-IDs", len(expected) == CALLS, len(expected))
    total = sum(len(v) for v in expected.values())
    # sngrep writes what it received; wait until its pcap holds as many SIP messages as SIPp saw (or time out).
    got = wait_until(lambda: (lambda g: g if sum(len(v) for v in g.values()) >= total else None)(sngrep_calls()), 20)
    got = got or sngrep_calls()
    c.check(f"sngrep: {total} SIP messages, as many as SIPp's log", sum(len(v) for v in got.values()) == total,
            (sum(len(v) for v in got.values()), total))
    c.check(f"sngrep: the same {CALLS} Call-IDs", set(got) == set(expected), sorted(set(got) ^ set(expected))[:5])
    differ = [cid for cid in expected if got.get(cid) != expected[cid]]
    c.check("sngrep: per call, exactly SIPp's messages in SIPp's order", not differ,
            [(cid, got.get(cid), expected[cid]) for cid in differ[:3]])
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    d.cleanup()
    sngrep.send_signal(signal.SIGTERM)
    try:
        sngrep.wait(10)
    except subprocess.TimeoutExpired:
        sngrep.kill()
        sngrep.wait()
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

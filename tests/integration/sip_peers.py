"""Helpers for the SIP integration tests: free ports, sip-ua and SIPp runs,
and tshark as the oracle for every message sip-ua emitted (--capture)."""
import os
import socket
import subprocess
import tempfile
import time

from harness import BIN, SRC

SIP_UA = os.path.join(os.path.dirname(BIN), "sip-ua")
SIPP = "/usr/bin/sipp"
SCENARIOS = os.path.join(SRC, "tests", "integration", "sipp")
WORK = tempfile.mkdtemp(prefix="isupgw-sip-")
CAPTURE = os.path.join(WORK, "emitted.hex")


def free_port(kind=socket.SOCK_DGRAM):
    """A port free for both UDP and TCP on 127.0.0.1 (best effort)."""
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError("no free port")


def start_ua(mode, *args):
    """sip-ua in the background; waits for its 'listening' line."""
    argv = [SIP_UA, mode, "--capture", CAPTURE] + [str(a) for a in args]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first = p.stdout.readline()
    p.first_line = first
    return p


def finish_ua(p, timeout=60):
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    return p.returncode, p.first_line + (out or "")


def sipp(args, timeout=60):
    """SIPp in the foreground (no terminal); returns (exit code, output)."""
    argv = [SIPP] + [str(a) for a in args] + ["-nostdin", "-timeout", "30s", "-timeout_error", "-trace_err",
                                               "-error_file", os.path.join(WORK, "sipp_errors.log")]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=WORK)
    except subprocess.TimeoutExpired as e:
        return -1, str(e)
    errors = ""
    path = os.path.join(WORK, "sipp_errors.log")
    if os.path.exists(path):
        with open(path) as f:
            errors = f.read()[-3000:]
        os.unlink(path)
    return r.returncode, (r.stdout[-2000:] + r.stderr[-2000:] + errors)


def scenario(name):
    return os.path.join(SCENARIOS, name)


def tshark_check():
    """Every message sip-ua emitted, dissected by tshark as SIP over UDP:
    returns (messages, problems)."""
    if not os.path.exists(CAPTURE):
        return 0, ["no capture"]
    with open(CAPTURE) as f:
        payloads = [bytes.fromhex(l.strip()) for l in f if l.strip()]
    hexfile = os.path.join(WORK, "emitted.txt")
    pcap = os.path.join(WORK, "emitted.pcap")
    with open(hexfile, "w") as f:
        for p in payloads:
            for off in range(0, len(p), 16):
                f.write("%06x %s\n" % (off, " ".join("%02x" % b for b in p[off:off + 16])))
    subprocess.run(["text2pcap", "-q", "-u", "5060,5060", hexfile, pcap], check=True, capture_output=True)
#One line per packet : frame number, SIP method or status, expert / malformed markers.
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "separator=|", "-e", "frame.number",
                        "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "_ws.malformed", "-e",
                        "_ws.expert.message"], capture_output=True, text=True, timeout=120)
    problems = []
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    if len(lines) != len(payloads):
        problems.append(f"tshark saw {len(lines)} packets for {len(payloads)} messages")
    for l in lines:
        f = l.split("|")
        if len(f) < 5:
            continue
        if not f[1] and not f[2]:
            problems.append(f"frame {f[0]}: not decoded as SIP")
        if f[3] or f[4]:
            problems.append(f"frame {f[0]}: {f[3]} {f[4]}")
    return len(payloads), problems

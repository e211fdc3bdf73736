"""Runs inside the VM (kernel SCTP), issue 23: strangers against a listening M2PA
link whose allowed peer is 127.0.0.1. A stranger from 127.0.0.2 opens an SCTP
association and sends Alignment: isupgw aborts it and sends it nothing. The
real peer (m2pa_strict_peer.py from 127.0.0.1) then aligns, proves, tests the
link and completes the GRS/GRA round and an RSC; while it is in service a
second association from the allowed address (the link is busy) is aborted too
and never displaces it. Judged by tshark on a capture of lo inside the VM (an
ABORT to each stranger, no DATA chunk to either), the peer's own account
(nothing dropped, RLC received) and the strangers' sockets; the refusal counts
are isupgw's own counters (weak: its log).
usage: guest_isupgw_m2pa_stranger.py ISUPGW_BIN"""
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
os.environ["ISUPGW_BIN"] = sys.argv[1]
from harness import BIN, Checks  # noqa: E402

PORT, RSC_CIC, STRANGER = 3565, 7, "127.0.0.2"
CONFIG = """
node: {name: gw}
logging: {level: info}
ss7:
  point_code_format: itu
  linksets:
    - name: ls-peer
      local_pc: 0-0-1
      adjacent_pc: 0-0-2
      proving_ms: 500
      links:
        - {slc: 0, transport: sctp, local: {address: 127.0.0.1, port: %d}, allowed_peers: [127.0.0.1]}
  trunk_groups: [{name: tg, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}]
""" % PORT

lib = ctypes.CDLL("libsctp.so.1")
lib.sctp_sendmsg.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_uint32,
                             ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint32]


# How a stranger's socket may see the gateway's refusal. An ABORT that follows the COOKIE-ACK within a
# millisecond is not always reported to the client socket (connect() may return ECONNREFUSED, or the socket
# may stay quiet until the timeout): the ABORT itself is judged on the wire by tshark below; the socket's
# part is that nothing reached it.
ENDED = ("aborted", "eof", "still open")


def stranger(source):
    """An SCTP association from `source` that sends M2PA Link Status Alignment (RFC 4165 2.3.2) on
    stream 0, PPID 5; returns (local port, how it ended, bytes received)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    s.bind((source, 0))
    port = s.getsockname()[1]  # bound: the port is known before the association (for tshark)
    try:
        s.connect(("127.0.0.1", PORT))
    except (ConnectionRefusedError, ConnectionResetError):
        # The gateway aborted the association before connect() returned: the kernel reports an ABORT that
        # follows COOKIE-ACK that closely as ECONNREFUSED (sctp_wait_for_connect). tshark checks the ABORT.
        s.close()
        return port, "aborted", b""
    msg = struct.pack("!BBBBIII", 1, 0, 11, 2, 20, 0xFFFFFF, 0xFFFFFF) + struct.pack("!I", 1)
    lib.sctp_sendmsg(s.fileno(), msg, len(msg), None, 0, socket.htonl(5), 0, 0, 0, 0)
    got, how = b"", None
    s.settimeout(5)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                how = "eof"
                break
            got += chunk
    except ConnectionResetError:
        how = "aborted"
    except socket.timeout:
        how = "still open"
    except OSError as e:
        how = f"error {e.errno}"
    s.close()
    return port, how, got


def tshark_count(pcap, flt):
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", flt, "-T", "fields", "-e", "frame.number"],
                       capture_output=True, text=True, timeout=600)
    return len(r.stdout.split())


def counter(lines, name):
    for l in lines:
        m = re.search(r"counter name=%s value=(\d+)" % re.escape(name), l)
        if m:
            return int(m.group(1))
    return None


def wait_for(path, rx, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            if re.search(rx, f.read()):
                return True
        time.sleep(0.1)
    return False


def wait_listening(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open("/proc/net/sctp/eps") as f:
            if any(" %d " % port in l for l in f.readlines()[1:]):
                return True
        time.sleep(0.1)
    return False


c = Checks()
t0 = time.monotonic()
folder = tempfile.mkdtemp(prefix="m2pa-stranger-", dir="/dev/shm")
pcap = os.path.join(folder, "lo.pcapng")
cap = subprocess.Popen(["dumpcap", "-q", "-i", "lo", "-f", "sctp", "-w", pcap], stderr=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL)
gw = peer = None
gw_lines = []
try:
    deadline = time.monotonic() + 30
    while not (os.path.exists(pcap) and os.path.getsize(pcap) > 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    c.check("dumpcap captures lo", os.path.exists(pcap) and cap.poll() is None)
    with open(os.path.join(folder, "gw.yaml"), "w") as f:
        f.write(CONFIG)
    log_path = os.path.join(folder, "gw.log")
    gw_log = open(log_path, "w")
    gw = subprocess.Popen([BIN, "run", "--config", os.path.join(folder, "gw.yaml")], stderr=gw_log,
                          stdout=subprocess.DEVNULL)
    c.check("isupgw listens for the M2PA link (SCTP port %d)" % PORT, wait_listening(PORT, 30))
    s1_port, how, got = stranger(STRANGER)
    c.check(f"a stranger from {STRANGER}: association {how}, nothing received", how in ENDED and not got,
            (how, got))
    peer = subprocess.Popen([sys.executable, os.path.join(HERE, "m2pa_strict_peer.py"), str(PORT), "2", "1",
                             str(RSC_CIC), "90"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    c.check("the real peer's link comes into service", wait_for(log_path, r"mtp3_link_available linkset=ls-peer", 60))
    s2_port, how, got = stranger("127.0.0.1")
    c.check(f"a second association from the allowed address while the link is up: {how}, nothing received",
            how in ENDED and not got, (how, got))
    out, err = peer.communicate(timeout=150)
    seen = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    print("peer:", json.dumps(seen))
    c.check("the real peer: one association, nothing dropped, its RSC answered (its own account)",
            seen.get("associations") == 1 and seen.get("dropped") == [] and seen.get("rlc_received"),
            (seen, err[-400:]))
    gw.send_signal(signal.SIGTERM)
    try:
        c.check("isupgw stops cleanly", gw.wait(20) == 0)
    except subprocess.TimeoutExpired:
        gw.kill()
        c.check("isupgw stops cleanly", False)
    gw_log.close()
    with open(log_path, errors="replace") as f:
        gw_lines = f.read().splitlines()
    time.sleep(0.5)  # the last packets reach the capture file
    cap.send_signal(signal.SIGINT)
    cap.wait(30)
    for name, port in ((STRANGER, s1_port), ("the busy link's second association", s2_port)):
        aborts = tshark_count(pcap, f"sctp.chunk_type == 6 && sctp.dstport == {port}")
        data = tshark_count(pcap, f"sctp.chunk_type == 0 && sctp.dstport == {port}")
        c.check(f"tshark: {name} got an ABORT ({aborts}) and no DATA chunk ({data})", aborts >= 1 and data == 0,
                (aborts, data))
    g = "guard.sigtran.ls-peer/0."
    c.check("isupgw counted the unlisted address and the busy link (its counters)",
            counter(gw_lines, g + "refused_unlisted_address") == 1 and counter(gw_lines, g + "refused_busy") == 1,
            [l for l in gw_lines if "guard.sigtran" in l])
    print(f"scenario took {time.monotonic() - t0:.1f} s in the VM")
finally:
    for p in (gw, cap, peer):
        if p and p.poll() is None:
            p.kill()
            p.wait()
    if c.failed:
        kept = shutil.copytree(folder, tempfile.mkdtemp(prefix="m2pa-stranger-logs-", dir="/tmp"), dirs_exist_ok=True)
        print(f"logs and capture in {kept}")
    shutil.rmtree(folder, ignore_errors=True)
c.finish()

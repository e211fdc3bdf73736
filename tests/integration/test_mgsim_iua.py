"""mg-sim's IUA SG end (issue 21) between a PBX and an ASP, both played by this
script with octets written from the standards: the PBX's Q.921 frames on the
D channel's Unix SOCK_SEQPACKET socket (2 FCS octets after each, as libpri
writes them), the ASP's IUA messages on TCP (127.0.0.88).
  PBX SABME -> UA (Q.921 5.5.1); ASPUP/ASPAC -> acks, then Establish Indication
  for interface 1 (RFC 4233 3.3.1.3); the PBX's I frame with a SETUP -> a Data
  Indication with the same octets; the ASP's Data Request (RELEASE COMPLETE 17)
  -> an I frame with those octets to the PBX; tshark reads every IUA message
  mg-sim sent (wrapped in SCTP PPID 1 by text2pcap) with nothing malformed."""
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile

from harness import Checks
from iuaasp import iua_until, tlvs
from mgsim import SIM

ADDR = "127.0.0.88"
SETUP = bytes.fromhex("0802000505040380 90a3 1803a98383 6c0a2181 3330313233343536 7009a1 3330393939373737"
                      .replace(" ", ""))
RELEASE_COMPLETE = bytes.fromhex("080280015a08028091")  # call reference 1 (flag: from the side that did not
                                                         # allocate it), cause 17 user busy


def frame_until(pbx, want, timeout=5.0):
    """Q.921 frames from mg-sim (FCS stripped) until want(frame); returns it or None."""
    pbx.settimeout(timeout)
    try:
        while True:
            f = pbx.recv(512)[:-2]
            if want(f):
                return f
    except socket.timeout:
        return None


c = Checks()
if not os.access(SIM, os.X_OK):
    c.skip("mg-sim not built")
tmp = tempfile.mkdtemp(prefix="isupgw-mgsim-iua-")
path = os.path.join(tmp, "d1.sock")
proc = subprocess.Popen([SIM, "--bind", ADDR, "--port", "0", "--iua", ADDR + ":0", "--lapd", "1=" + path],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                        bufsize=1)
try:
    proc.stdout.readline()
    m = re.search(r"mg-sim iua address=\S+ port=(\d+)", proc.stdout.readline())
    c.check("mg-sim listens for IUA", m is not None)
    port = int(m.group(1))

    pbx = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pbx.connect(path)
    # User side SABME (SAPI 0, C/R 0 for a user command, TEI 0, P=1), Q.921 3.3.2 / 3.6.
    pbx.send(bytes.fromhex("00017f") + b"\0\0")
    ua = frame_until(pbx, lambda f: len(f) == 3 and f[2] & 0xef == 0x63)
    c.check("the PBX's SABME answered UA, F=1, as a network response (C/R 0)", ua == bytes.fromhex("000173"),
            ua.hex() if ua else None)

    asp = socket.create_connection((ADDR, port), timeout=5)
    got = []
    asp.sendall(bytes.fromhex("0100030100000008"))  # ASPUP
    c.check("ASPUP acknowledged", iua_until(asp, 3, 4, got) is not None)
    # ASPAC, Interface Identifier (Integer) 1.
    asp.sendall(bytes.fromhex("0100040100000010" "0001000800000001"))
    c.check("ASPAC acknowledged", iua_until(asp, 4, 3, got) is not None)
    est = iua_until(asp, 5, 7, got)
    c.check("Establish Indication for interface 1, SAPI 0 / TEI 0, once the ASP is active",
            est is not None and tlvs(est).get(0x1) == b"\0\0\0\1" and tlvs(est).get(0x5) == bytes.fromhex("00010000"),
            est.hex() if est else None)

    # I frame N(S)=0 N(R)=0 with the SETUP (Q.921 3.6.2, modulo 128).
    pbx.send(bytes.fromhex("00010000") + SETUP + b"\0\0")
    data = iua_until(asp, 5, 2, got)
    c.check("the SETUP reaches the ASP as a Data Indication with the same octets",
            data is not None and tlvs(data).get(0xe) == SETUP, data.hex() if data else None)
    rr = frame_until(pbx, lambda f: len(f) == 4 and f[2] == 0x01)
    c.check("the I frame acknowledged by RR N(R)=1", rr is not None and rr[3] >> 1 == 1, rr.hex() if rr else None)

    # Data Request: Interface Identifier 1, DLCI SAPI 0 / TEI 0, Protocol Data = RELEASE COMPLETE.
    pd = RELEASE_COMPLETE + b"\0" * ((4 - len(RELEASE_COMPLETE) % 4) % 4)
    body = bytes.fromhex("0001000800000001" "0005000800010000") + struct.pack("!HH", 0xe, 4 + len(RELEASE_COMPLETE)) + pd
    asp.sendall(bytes.fromhex("01000501") + struct.pack("!I", 8 + len(body)) + body)
    i = frame_until(pbx, lambda f: len(f) > 4 and f[2] & 1 == 0)
    c.check("the Data Request reaches the PBX as an I frame (network command C/R 1) with the same octets",
            i is not None and i[0:2] == bytes.fromhex("0201") and i[4:] == RELEASE_COMPLETE, i.hex() if i else None)

    proc.stdin.write("iua\n")
    proc.stdin.flush()
    status = proc.stdout.readline().strip()
    c.check("mg-sim's view: the ASP active, the D channel established",
            status == "ok iua asp=ASP-ACTIVE 1=7_multiple_frame_established", status)

    if shutil.which("text2pcap") and shutil.which("tshark"):
        dump = os.path.join(tmp, "iua.txt")
        with open(dump, "w") as f:
            for m in got:  # text2pcap's hex dump: an offset then 16 octets per line, offset 0 starts a packet
                for off in range(0, len(m), 16):
                    f.write("%06x " % off + " ".join("%02x" % b for b in m[off:off + 16]) + "\n")
        pcap = os.path.join(tmp, "iua.pcap")
        subprocess.run(["text2pcap", "-q", "-S", "9900,9900,1", dump, pcap], check=True, capture_output=True)
        r = subprocess.run(["tshark", "-n", "-r", pcap, "-o", "iua.use_gsm_sapi_values:FALSE", "-T", "fields",
                            "-e", "iua.message_class", "-e", "iua.message_type", "-e", "q931.message_type",
                            "-e", "_ws.malformed", "-e", "_ws.expert"], capture_output=True, text=True, timeout=60)
        rows = [ln.split("\t") for ln in r.stdout.splitlines()]
        c.check("tshark reads every IUA message mg-sim sent", len(rows) == len(got) and all(row[0] for row in rows),
                r.stdout + r.stderr)
        c.check("nothing malformed", all(not row[3] and not row[4] for row in rows), r.stdout)
        c.check("the Data Indication's Q.931 is a SETUP", any(row[2] in ("5", "0x05") for row in rows), r.stdout)
    else:
        print("SKIP tshark part: text2pcap/tshark not installed")
    asp.close()
    pbx.close()
finally:
    if proc.poll() is None:
        try:
            proc.stdin.write("quit\n")
            proc.stdin.flush()
            proc.wait(5)
        except (subprocess.TimeoutExpired, BrokenPipeError):
            proc.kill()
            proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

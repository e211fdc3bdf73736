"""A rogue's tools for test_rogue_peers.py (issue 23): a hand-built M3UA peer
(RFC 4666 3: common header, TLV parameters) over TCP from a chosen source
address, SIP datagram floods at a fixed rate, silent TCP connections, and the
tshark oracle for what reached a stranger (M3UA over TCP re-wrapped as SCTP
PPID 3, as /work/shared/spec/oracles.md describes)."""
import os
import socket
import struct
import subprocess
import tempfile
import time

# RFC 4666 3.1.2 message classes and types; 3.2 parameter tags.
ERR, NTFY = (0, 0), (0, 1)
DATA = (1, 1)
ASPUP, ASPDN, BEAT, ASPUP_ACK, BEAT_ACK = (3, 1), (3, 2), (3, 3), (3, 4), (3, 6)
ASPAC, ASPAC_ACK = (4, 1), (4, 3)
TAG_ERROR_CODE, TAG_RC, TAG_TRAFFIC_MODE, TAG_ASP_ID, TAG_PROTOCOL_DATA = 0x000C, 0x0006, 0x000B, 0x0011, 0x0210


def tlv(tag, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", tag, 4 + len(value)) + value + b"\0" * pad


def message(kind, *params):
    body = b"".join(params)
    return struct.pack("!BBBBI", 1, 0, kind[0], kind[1], 8 + len(body)) + body


def aspup(asp_id=None):
    return message(ASPUP, *([tlv(TAG_ASP_ID, struct.pack("!I", asp_id))] if asp_id is not None else []))


def aspac(rc):
    return message(ASPAC, tlv(TAG_TRAFFIC_MODE, struct.pack("!I", 1)), tlv(TAG_RC, struct.pack("!I", rc)))


def data(rc, opc, dpc, isup, si=5, ni=2, sls=0):
    """DATA with the MTP3 label (3.3.1: OPC, DPC, SI, NI, MP, SLS) and the ISUP message."""
    pd = struct.pack("!IIBBBB", opc, dpc, si, ni, 0, sls) + isup
    return message(DATA, tlv(TAG_RC, struct.pack("!I", rc)), tlv(TAG_PROTOCOL_DATA, pd))


def isup_rsc(cic):
    """Q.763 RSC (type 0x12, no parameters) on `cic` (Q.763 1.2: low octet first)."""
    return struct.pack("<H", cic) + b"\x12"


def split(stream):
    """M3UA messages cut from a TCP byte stream: [(class, type, params bytes)]."""
    out = []
    while len(stream) >= 8:
        length = struct.unpack("!I", stream[4:8])[0]
        if length < 8 or len(stream) < length:
            break
        out.append((stream[2], stream[3], stream[8:length]))
        stream = stream[length:]
    return out


def error_code(params):
    i = 0
    while i + 4 <= len(params):
        tag, length = struct.unpack("!HH", params[i:i + 4])
        if tag == TAG_ERROR_CODE:
            return struct.unpack("!I", params[i + 4:i + 8])[0]
        i += (length + 3) & ~3
    return None


class M3uaRogue:
    """A TCP connection from `source` to 127.0.0.1:`port` speaking M3UA by hand."""

    def __init__(self, port, source="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((source, 0))
        self.sock.connect(("127.0.0.1", port))
        self.local_port = self.sock.getsockname()[1]
        self.received = b""
        self.closed_how = None  # "reset" or "eof" once the gateway ended the connection

    def send(self, m):
        try:
            self.sock.sendall(m)
            return True
        except OSError:
            return False

    def read_until(self, predicate, timeout=3.0):
        """Reads until predicate(messages) or the connection ends or timeout; the messages."""
        deadline = time.monotonic() + timeout
        while not predicate(split(self.received)) and self.closed_how is None:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                self.closed_how = "reset"
                break
            if not chunk:
                self.closed_how = "eof"
                break
            self.received += chunk
        return split(self.received)

    def wait_closed(self, timeout=3.0):
        self.read_until(lambda m: False, timeout)
        return self.closed_how

    def close(self):
        self.sock.close()


def flood_sip(kind, target_port, source, rate, seconds):
    """Sends SIP `kind` (INVITE or REGISTER) datagrams from `source` at `rate`/s for
    `seconds`, each with its own Call-ID and branch; returns (sent, elapsed s)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    lport = s.getsockname()[1]
    body = "v=0\r\no=- 1 1 IN IP4 {h}\r\ns=-\r\nc=IN IP4 {h}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n".format(h=source)
    head = (f"{kind} sip:4930123456@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {source}:{lport};branch=z9hG4bK-r{{n}}\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:rogue@{source}>;tag=r{{n}}\r\nTo: <sip:4930123456@127.0.0.1>\r\n"
            f"Call-ID: rogue-{{n}}@{source}\r\nCSeq: 1 {kind}\r\nContact: <sip:rogue@{source}:{lport}>\r\n")
    tail = (f"Content-Type: application/sdp\r\nContent-Length: {len(body)}\r\n\r\n{body}" if kind == "INVITE" else
            "Expires: 3600\r\nContent-Length: 0\r\n\r\n")
    template = head + tail
    dest = ("127.0.0.1", target_port)
    sent = 0
    t0 = time.monotonic()
    batch = max(1, rate // 1000)  # paced per millisecond
    while True:
        now = time.monotonic() - t0
        if now >= seconds:
            break
        due = int(now * rate) + batch
        while sent < due:
            try:
                s.sendto(template.format(n=sent).encode(), dest)
            except OSError:
                pass  # a full socket buffer: that datagram is not sent (and not counted)
            else:
                sent += 1
        time.sleep(0.0005)
    elapsed = time.monotonic() - t0
    s.close()
    return sent, elapsed


def silent_connections(port, sources, per_source):
    """Opens per_source TCP connections from each source address to 127.0.0.1:port and
    sends nothing (half-open at the SIP layer); returns the sockets."""
    socks = []
    for src in sources:
        for _ in range(per_source):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((src, 0))
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            socks.append(s)
    return socks


def ended(s):
    """True when the gateway closed or reset this connection (or it never connected)."""
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def tcp_payloads(pcap, bpf_filter):
    """Per TCP stream (src, sport, dst, dport) matching the display filter: the bytes carried."""
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", f"({bpf_filter}) && tcp.len > 0", "-T", "fields", "-E",
                        "separator=|", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport", "-e",
                        "tcp.payload"], capture_output=True, text=True, timeout=120)
    streams = {}
    for line in r.stdout.splitlines():
        src, sport, dst, dport, payload = line.split("|")
        streams.setdefault((src, sport, dst, dport), bytearray()).extend(bytes.fromhex(payload.replace(":", "")))
    return streams


def decode_m3ua(messages):
    """tshark's view of M3UA messages re-wrapped as SCTP PPID 3 (text2pcap -S):
    [(m3ua class, m3ua type, isup message type or '')]."""
    if not messages:
        return []
    d = tempfile.mkdtemp(prefix="rogue-")
    txt, pcap = os.path.join(d, "m3ua.txt"), os.path.join(d, "m3ua.pcap")
    with open(txt, "w") as f:
        for m in messages:
            f.write("0000 " + " ".join(f"{b:02x}" for b in m) + "\n\n")
    subprocess.run(["text2pcap", "-q", "-S", "2905,2905,3", txt, pcap], check=True, capture_output=True, timeout=60)
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "separator=|", "-E", "occurrence=f", "-e",
                        "m3ua.message_class", "-e", "m3ua.message_type", "-e", "isup.message_type"],
                       capture_output=True, text=True, timeout=60)
    for p in (txt, pcap):
        os.unlink(p)
    os.rmdir(d)
    return [tuple((line.split("|") + [""] * 3)[:3]) for line in r.stdout.splitlines()]


def m3ua_messages(stream):
    """Whole M3UA messages (bytes) cut from a byte stream."""
    out = []
    while len(stream) >= 8:
        length = struct.unpack("!I", bytes(stream[4:8]))[0]
        if length < 8 or len(stream) < length:
            break
        out.append(bytes(stream[:length]))
        stream = stream[length:]
    return out

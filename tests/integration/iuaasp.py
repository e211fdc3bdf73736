"""A bare IUA ASP (RFC 4233) over TCP for the tests that play the network side of a PRI
with Q.931 octets written from the standard: message framing, the ASP's start (ASPUP,
ASPAC), Data Requests, and tshark's decode of the IUA messages seen (text2pcap wraps
them in SCTP PPID 1). Shared by test_mgsim_iua.py and test_pri_peer.py."""
import os
import shutil
import socket
import struct
import subprocess


def recv_iua(sock, timeout=5.0):
    """One IUA message (common header length field, RFC 4233 3.1) or None."""
    sock.settimeout(timeout)
    try:
        head = b""
        while len(head) < 8:
            chunk = sock.recv(8 - len(head))
            if not chunk:
                return None
            head += chunk
        length = struct.unpack("!I", head[4:8])[0]
        body = b""
        while len(body) < length - 8:
            chunk = sock.recv(length - 8 - len(body))
            if not chunk:
                return None
            body += chunk
        return head + body
    except socket.timeout:
        return None


def iua_until(sock, cls, typ, got, timeout=5.0):
    """Reads IUA messages (kept in `got`) until one of class/type; returns it or None."""
    while True:
        m = recv_iua(sock, timeout)
        if m is None:
            return None
        got.append(m)
        if m[2] == cls and m[3] == typ:
            return m


def tlvs(m):
    out, off = {}, 8
    while off + 4 <= len(m):
        tag, length = struct.unpack("!HH", m[off:off + 4])
        if length < 4:
            break
        out.setdefault(tag, m[off + 4:off + length])
        off += (length + 3) & ~3
    return out


def data_request(q931, iid=1):
    """QPTM Data Request (class 5, type 1): Interface Identifier (Integer), DLCI SAPI 0 / TEI 0,
    Protocol Data padded to 4 octets (RFC 4233 3.3.1)."""
    pd = q931 + b"\0" * ((4 - len(q931) % 4) % 4)
    body = (struct.pack("!HHI", 0x1, 8, iid) + bytes.fromhex("0005000800010000") +
            struct.pack("!HH", 0xe, 4 + len(q931)) + pd)
    return bytes.fromhex("01000501") + struct.pack("!I", 8 + len(body)) + body


def start_asp(sock, got, iid=1):
    """ASPUP, then ASPAC for interface `iid` (RFC 4233 3.3.2, 3.3.3); True when both are acknowledged."""
    sock.sendall(bytes.fromhex("0100030100000008"))
    if iua_until(sock, 3, 4, got) is None:
        return False
    sock.sendall(bytes.fromhex("0100040100000010") + struct.pack("!HHI", 0x1, 8, iid))
    return iua_until(sock, 4, 3, got) is not None


def tshark_rows(messages, tmp, fields=("iua.message_class", "iua.message_type", "q931.message_type")):
    """tshark's decode of IUA messages, one row per message: the fields asked for, then
    _ws.malformed and _ws.expert. None when text2pcap/tshark are not installed."""
    if not (shutil.which("text2pcap") and shutil.which("tshark")):
        return None
    dump = os.path.join(tmp, "iua.txt")
    with open(dump, "w") as f:
        for m in messages:  # text2pcap's hex dump: an offset then 16 octets per line, offset 0 starts a packet
            for off in range(0, len(m), 16):
                f.write("%06x " % off + " ".join("%02x" % b for b in m[off:off + 16]) + "\n")
    pcap = os.path.join(tmp, "iua.pcap")
    subprocess.run(["text2pcap", "-q", "-S", "9900,9900,1", dump, pcap], check=True, capture_output=True)
    argv = ["tshark", "-n", "-r", pcap, "-o", "iua.use_gsm_sapi_values:FALSE", "-T", "fields"]
    for name in list(fields) + ["_ws.malformed", "_ws.expert"]:
        argv += ["-e", name]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return [ln.split("\t") for ln in r.stdout.splitlines()], r.stdout + r.stderr


class IuaRelay:
    """A TCP relay between an ASP (isupgw) and the SG (mg-sim) that keeps every IUA message both ways
    (`messages`, in order) for tshark: the daemon's IUA as it went on the wire."""

    def __init__(self, addr, upstream_port):
        import threading
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((addr, 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.addr, self.upstream_port = addr, upstream_port
        self.messages = []
        self._pumps = []
        self._lock = threading.Lock()
        self._threading = threading
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        try:
            a, _ = self.listener.accept()
        except OSError:
            return
        b = socket.create_connection((self.addr, self.upstream_port))
        for src, dst in ((a, b), (b, a)):
            t = self._threading.Thread(target=self._pump, args=(src, dst), daemon=True)
            self._pumps.append(t)
            t.start()

    def drained(self, timeout=10.0):
        """Every message relayed, once both ends have closed (the daemon stopped): a copy of `messages`.
        Taken earlier, the last messages may still be on their way through the relay."""
        for t in list(self._pumps):
            t.join(timeout)
        with self._lock:
            return list(self.messages)

    def _pump(self, src, dst):
        try:
            while True:
                m = recv_iua(src, timeout=None)
                if m is None:
                    break
                with self._lock:
                    self.messages.append(m)
                dst.sendall(m)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.listener.close()

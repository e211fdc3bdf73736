"""tshark as the oracle for what crossed the wire (tests/integration).

capture(): tshark on lo, writing a pcap, for the UDP (SIP) and TCP (M3UA)
ports given. sip_messages(): every SIP message in it as tshark decodes it, the
ISUP it encapsulates included. isup_messages(): every ISUP message carried by
M3UA over TCP; tshark 4.0 does not decode M3UA over TCP, so the TCP payloads
are reassembled per direction, split into M3UA messages by their length field
and re-wrapped as SCTP PPID 3 with text2pcap (oracles.md) before tshark reads
them. Both return one dict per message: tshark field name -> list of values,
plus "text" (tshark's verbose decode of the ISUP part, for "reserved")."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

SIP_FIELDS = ["frame.number", "udp.srcport", "udp.dstport", "sip.Method", "sip.Status-Code", "sip.Call-ID",
              "sip.CSeq.method", "sip.Content-Type", "sip.Accept", "sip.reason_cause_q850"]
ISUP_FIELDS = ["isup.message_type", "isup.cic", "isup.charge_indicator", "isup.called_partys_status_indicator",
               "isup.called_partys_category_indicator", "isup.inband_information_ind", "isup.event_ind",
               "isup.cause_indicator", "isup.cause_location", "q931.cause_location", "isup.connected_number", "isup.calling",
               "isup.generic_number", "isup.number_qualifier_indicator", "isup.screening_indicator",
               "isup.screening_indicator_enhanced", "isup.address_presentation_restricted_indicator",
               "isup.user_to_user_info", "isup.parameter_type", "_ws.malformed", "_ws.expert.severity"]


def available():
    return all(shutil.which(t) for t in ("tshark", "text2pcap"))


class Capture:
    """tshark -i lo on the given UDP and TCP ports until stop(). Ready once a
    probe datagram it was told to capture is in the file (tshark says
    "Capturing on" a moment before it really captures)."""

    def __init__(self, udp_ports=(), tcp_ports=()):
        self.dir = tempfile.mkdtemp(prefix="wire-")
        self.path = os.path.join(self.dir, "lo.pcap")
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        self.probe_port = probe.getsockname()[1]
        parts = [f"udp port {p}" for p in list(udp_ports) + [self.probe_port]] + [f"tcp port {p}" for p in tcp_ports]
        self.proc = subprocess.Popen(["tshark", "-i", "lo", "-f", " or ".join(parts), "-F", "pcap", "-w", self.path,
                                      "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # dumpcap writes through a stdio buffer: probes of 1400 octets fill it
        # until the file holds more than its 24-octet header.
        deadline = time.monotonic() + 15
        try:
            while time.monotonic() < deadline:
                probe.sendto(b"\0" * 1400, ("127.0.0.1", self.probe_port))
                if os.path.exists(self.path) and os.path.getsize(self.path) > 24:
                    break
                time.sleep(0.05)
        finally:
            probe.close()

    def stop(self):
        time.sleep(0.3)  # the last packets reach the ring buffer
        self.proc.terminate()
        self.proc.wait(10)

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def _fields(path, fields, extra=()):
    argv = ["tshark", "-n", "-r", path] + list(extra) + ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
                                                          "-E", "aggregator=|"]
    for f in fields:
        argv += ["-e", f]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    rows = []
    for line in r.stdout.splitlines():
        vals = line.split("\t") + [""] * len(fields)
        rows.append({f: [v for v in vals[i].split("|") if v != ""] for i, f in enumerate(fields)})
    return rows


def _raw_isup(path, extra, count):
    """The ISUP octets tshark found in each frame (hex, "" for none), from its JSON with raw bytes."""
    r = subprocess.run(["tshark", "-n", "-r", path] + list(extra) + ["-T", "json", "-x"], capture_output=True,
                       text=True, timeout=120)

    def find(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "isup_raw":
                    return v[0] if isinstance(v, list) and v and isinstance(v[0], str) else ""
                x = find(v)
                if x:
                    return x
        elif isinstance(o, list):
            for v in o:
                x = find(v)
                if x:
                    return x
        return ""

    frames = [find(f.get("_source", {}).get("layers", {})) for f in json.loads(r.stdout or "[]")]
    return frames + [""] * (count - len(frames))


def _verbose_isup(path, count, decode_as=()):
    """tshark -V per frame, ISUP part only (from the 'ISDN User Part' line on); decode_as: extra -d rules."""
    r = subprocess.run(["tshark", "-n", "-r", path, *decode_as, "-V"], capture_output=True, text=True, timeout=120)
    frames, cur = [], None
    for line in r.stdout.splitlines():
        if line.startswith("Frame "):
            if cur is not None:
                frames.append("\n".join(cur))
            cur, keep = [], False
            continue
        if "ISDN User Part" in line:
            keep = True
        if cur is not None and keep:
            cur.append(line)
    if cur is not None:
        frames.append("\n".join(cur))
    return frames + [""] * (count - len(frames))


def sip_messages(path, port):
    """Every SIP message to or from UDP `port`, with the ISUP in its body."""
    flt_args = ["-d", f"udp.port=={port},sip", "-Y", f"sip && udp.port=={port}"]
    rows = _fields(path, SIP_FIELDS + ISUP_FIELDS, flt_args)
    for row, raw in zip(rows, _raw_isup(path, flt_args, len(rows))):
        row["isup_raw"] = raw  # the body's ISUP octets, from the message type on
    # Verbose decode of the same frames, for the ISUP text.
    flt = os.path.join(os.path.dirname(path), f"sip-{port}.pcap")
    subprocess.run(["tshark", "-n", "-r", path, "-d", f"udp.port=={port},sip", "-Y", f"sip && udp.port=={port}", "-w",
                    flt], capture_output=True, timeout=120)
    texts = _verbose_isup(flt, len(rows), ("-d", f"udp.port=={port},sip"))
    for row, text in zip(rows, texts):
        row["text"] = text
    return rows


def _tcp_streams(path, port):
    """(direction, bytes) per TCP segment with payload on `port`, in capture order.
    direction: "to" (towards `port`) or "from"."""
    rows = _fields(path, ["tcp.srcport", "tcp.dstport", "tcp.payload", "tcp.analysis.retransmission"],
                   ["-Y", f"tcp.port=={port} && tcp.len>0"])
    out = []
    for r in rows:
        if r["tcp.analysis.retransmission"]:
            continue
        direction = "to" if r["tcp.dstport"] and int(r["tcp.dstport"][0]) == port else "from"
        out.append((direction, bytes.fromhex("".join(r["tcp.payload"]).replace(":", ""))))
    return out


def m3ua_messages(path, port):
    """(direction, M3UA message bytes) for every M3UA message on TCP `port`."""
    buf = {"to": b"", "from": b""}
    out = []
    for direction, data in _tcp_streams(path, port):
        buf[direction] += data
        b = buf[direction]
        while len(b) >= 8:
            length = int.from_bytes(b[4:8], "big")
            if length < 8 or len(b) < length:
                break
            out.append((direction, b[:length]))
            b = b[length:]
        buf[direction] = b
    return out


def isup_messages(path, port):
    """Every ISUP message in an M3UA DATA on TCP `port`, decoded by tshark after
    re-wrapping as SCTP PPID 3; each row also has "direction" ("to" `port`, or "from")."""
    msgs = [(d, m) for d, m in m3ua_messages(path, port) if m[2] == 1 and m[3] == 1]  # class 1 transfer, DATA
    if not msgs:
        return []
    txt = os.path.join(os.path.dirname(path), f"m3ua-{port}.txt")
    pcap = os.path.join(os.path.dirname(path), f"m3ua-{port}.pcap")
    with open(txt, "w") as f:
        for _, m in msgs:
            f.write("0000 " + " ".join(f"{x:02x}" for x in m) + "\n\n")
    subprocess.run(["text2pcap", "-q", "-S", "2905,2905,3", txt, pcap], capture_output=True, timeout=60)
    rows = _fields(pcap, ISUP_FIELDS)
    texts = _verbose_isup(pcap, len(rows))
    raws = _raw_isup(pcap, [], len(rows))
    for row, text, raw, (direction, _) in zip(rows, texts, raws, msgs):
        row["text"] = text
        row["direction"] = direction
        row["isup_raw"] = raw[4:]  # without the CIC: as a SIP body carries it (RFC 3204)
    return rows


def first(row, field, default=""):
    """The field's first value; numbers as decimal strings ("0x0001" -> "1")."""
    v = row.get(field) or []
    if not v:
        return default
    x = v[0]
    try:
        return str(int(x, 0)) if x[:2].lower() == "0x" else x
    except ValueError:
        return x


def cause_location(row):
    """Cause location of the cause indicators (tshark names it per dissector)."""
    return first(row, "isup.cause_location") or first(row, "q931.cause_location")

"""A small SIP-I / SIP-T user agent over UDP for the integration tests: it sends
exactly the bytes it is given, binary application/ISUP bodies included (RFC
3204: from the message type octet, no CIC), which SIPp's XML cannot carry.

It is deliberately simple: one UDP socket on 127.0.0.1, one call at a time,
no retransmission of its own requests (loopback does not lose datagrams), and
every request it receives is answered at once so the gateway's transactions
need no retransmission either. The verdict of a test never comes from here:
it comes from tshark's decode of the wire and from isup-peer."""
import random
import re
import socket
import time

SDP = ("v=0\r\no=ua 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n")


def isup_part(hexbytes, version="itu-t92+", base=None, handling="required"):
    """(headers, body) of a lone application/ISUP body."""
    ct = f"application/ISUP;version={version}" + (f";base={base}" if base else "")
    return [("Content-Type", ct), ("Content-Disposition", f"signal;handling={handling}")], bytes.fromhex(hexbytes)


def multipart(sdp, hexbytes, version="itu-t92+", base=None, handling="required"):
    """(headers, body) of multipart/mixed with SDP and application/ISUP (SIP-I)."""
    boundary = "unique-boundary-1"
    ct = f"application/ISUP;version={version}" + (f";base={base}" if base else "")
    body = (f"--{boundary}\r\nContent-Type: application/sdp\r\n\r\n{sdp}\r\n"
            f"--{boundary}\r\nContent-Type: {ct}\r\nContent-Disposition: signal;handling={handling}\r\n\r\n").encode()
    body += bytes.fromhex(hexbytes) + f"\r\n--{boundary}--\r\n".encode()
    return [("Content-Type", f"multipart/mixed;boundary={boundary}"), ("MIME-Version", "1.0")], body


class Msg:
    """A received SIP message: start line, headers (lower-case names), body bytes."""

    def __init__(self, data, addr):
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.start = lines[0]
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))
        n = int(self.header("content-length") or self.header("l") or 0)
        self.body = body[:n]
        self.addr = addr
        self.raw = data
        self.is_request = not self.start.startswith("SIP/2.0")
        self.method = self.start.split(" ")[0] if self.is_request else self.cseq_method()
        self.status = 0 if self.is_request else int(self.start.split(" ")[1])

    def header(self, name):
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def all(self, name):
        return [v for n, v in self.headers if n == name.lower()]

    def cseq_method(self):
        return (self.header("cseq") or " ").split(" ")[-1]

    def __repr__(self):
        return self.start


def tag_of(value):
    m = re.search(r";\s*tag=([^;>\s]+)", value or "")
    return m.group(1) if m else ""


def uri_of(value):
    m = re.search(r"<([^>]+)>", value or "")
    return m.group(1) if m else (value or "").split(";")[0].strip()


class Ua:
    def __init__(self, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.seen = []  # everything received, in order
        self.backlog = []
        self._n = random.randrange(1 << 20)
        self.dialog = None

    def close(self):
        self.sock.close()

    def _id(self, what):
        self._n += 1
        return f"{what}{self._n}"

    def via(self):
        return f"SIP/2.0/UDP {self.host}:{self.port};rport;branch=z9hG4bK{self._id('b')}"

    def send(self, text_headers, body, addr):
        data = text_headers.encode("latin-1") + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
        self.sock.sendto(data, addr)
        return data

    def recv(self, timeout=5.0):
        """The next message, answering retransmissions of requests already answered."""
        if self.backlog:
            return self.backlog.pop(0)
        self.sock.settimeout(timeout)
        try:
            data, addr = self.sock.recvfrom(65535)
        except socket.timeout:
            return None
        m = Msg(data, addr)
        self.seen.append(m)
        return m

    def wait(self, pred, timeout=8.0, what=""):
        """The first received message for which pred(m) holds; others are handled:
        requests matching nothing are answered 200 (OPTIONS, retransmitted BYE),
        responses are skipped. Raises on timeout."""
        deadline = time.monotonic() + timeout
        skipped = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {what or 'message'} within {timeout}s; seen {self.seen[-6:]}")
                m = self.recv(left)
                if m is None:
                    continue
                if pred(m):
                    return m
                if m.is_request and m.method not in ("ACK",):
                    if m.method == "INVITE":
                        skipped.append(m)  # a retransmitted INVITE: not ours to answer here
                        continue
                    self.respond(m, 200)
        finally:
            self.backlog = skipped + self.backlog

    # ------------------------------------------------------------- responses

    def respond(self, req, status, reason="X", headers=(), body=b"", to_tag=None):
        h = f"SIP/2.0 {status} {reason}\r\n"
        for v in req.all("via"):
            h += f"Via: {v}\r\n"
        h += f"From: {req.header('from')}\r\n"
        to = req.header("to")
        if to_tag and not tag_of(to):
            to += f";tag={to_tag}"
        h += f"To: {to}\r\nCall-ID: {req.header('call-id')}\r\nCSeq: {req.header('cseq')}\r\n"
        if req.method == "INVITE" and status < 300 and status > 100:
            h += f"Contact: <sip:ua@{self.host}:{self.port}>\r\n"
        for n, v in headers:
            h += f"{n}: {v}\r\n"
        return self.send(h, body, req.addr)

    # ------------------------------------------------------------- UAS side

    def accept_invite(self, timeout=10.0):
        """Waits for an INVITE, answers 100, remembers the dialog (we are UAS)."""
        inv = self.wait(lambda m: m.is_request and m.method == "INVITE", timeout, "INVITE")
        self.respond(inv, 100, "Trying")
        self.dialog = {
            "uas": True, "invite": inv, "local_tag": self._id("t"), "call_id": inv.header("call-id"),
            "remote": inv.addr, "remote_uri": uri_of(inv.header("contact")) or uri_of(inv.header("from")),
            "local": inv.header("to"), "peer": inv.header("from"), "cseq": 1,
        }
        return inv

    def answer_invite(self, status, reason="X", headers=(), body=b""):
        d = self.dialog
        return self.respond(d["invite"], status, reason, headers, body, to_tag=d["local_tag"])

    # ------------------------------------------------------------- UAC side

    def invite(self, gw_port, called, headers=(), body=b"", from_number="+4930555", to_host="127.0.0.1"):
        tag = self._id("t")
        call_id = self._id("c") + "@ua"
        ruri = f"sip:{called}@{to_host}:{gw_port};user=phone"
        h = (f"INVITE {ruri} SIP/2.0\r\nVia: {self.via()}\r\nMax-Forwards: 70\r\n"
             f"From: <sip:{from_number}@{self.host};user=phone>;tag={tag}\r\nTo: <{ruri}>\r\n"
             f"Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\nContact: <sip:ua@{self.host}:{self.port}>\r\n")
        for n, v in headers:
            h += f"{n}: {v}\r\n"
        data = self.send(h, body, ("127.0.0.1", gw_port))
        self.dialog = {"uas": False, "invite_bytes": data, "ruri": ruri, "call_id": call_id,
                       "local": f"<sip:{from_number}@{self.host};user=phone>;tag={tag}", "peer": f"<{ruri}>",
                       "remote": ("127.0.0.1", gw_port), "remote_uri": ruri, "cseq": 1,
                       "via": h.split("Via: ")[1].split("\r\n")[0]}
        return data

    def final(self, timeout=10.0):
        """Waits for the INVITE's final response (skipping provisionals into
        self.provisionals), ACKs it, returns it."""
        d = self.dialog
        d.setdefault("provisionals", [])
        while True:
            r = self.wait(lambda m: not m.is_request and m.cseq_method() == "INVITE", timeout, "INVITE response")
            if r.status < 200:
                d["provisionals"].append(r)
                if tag_of(r.header("to")):
                    d["peer"] = r.header("to")
                continue
            self.ack(r)
            return r

    def cancel(self, headers=(), body=b""):
        """CANCEL of our pending INVITE (RFC 3261 9.1: its Via branch, Call-ID, From, To and CSeq number);
        returns the CANCEL's final response."""
        d = self.dialog
        h = (f"CANCEL {d['ruri']} SIP/2.0\r\nVia: {d['via']}\r\nMax-Forwards: 70\r\n"
             f"From: {d['local']}\r\nTo: <{d['ruri']}>\r\nCall-ID: {d['call_id']}\r\nCSeq: 1 CANCEL\r\n")
        for n, v in headers:
            h += f"{n}: {v}\r\n"
        self.send(h, body, d["remote"])
        return self.wait(lambda m: not m.is_request and m.cseq_method() == "CANCEL" and m.status >= 200, 8.0,
                         "response to CANCEL")

    def provisional(self, timeout=10.0):
        d = self.dialog
        r = self.wait(lambda m: not m.is_request and m.cseq_method() == "INVITE" and m.status > 100, timeout,
                      "provisional")
        if r.status >= 200:
            self.backlog.insert(0, r)
            return r
        if tag_of(r.header("to")):
            d["peer"] = r.header("to")
        return r

    def ack(self, r):
        d = self.dialog
        d["peer"] = r.header("to")
        if r.status < 300:
            d["remote_uri"] = uri_of(r.header("contact")) or d["remote_uri"]
            via = self.via()
        else:
            via = d["via"]  # RFC 3261 17.1.1.3: the ACK for a failure shares the INVITE's branch
        h = (f"ACK {d['ruri'] if r.status >= 300 else d['remote_uri']} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n"
             f"From: {d['local']}\r\nTo: {d['peer']}\r\nCall-ID: {d['call_id']}\r\nCSeq: 1 ACK\r\n")
        self.send(h, b"", d["remote"])

    # ------------------------------------------------------------- in dialog

    def request(self, method, headers=(), body=b""):
        """A request in the dialog (INFO, BYE); returns its final response."""
        d = self.dialog
        d["cseq"] += 1
        local = d["local"] if not d["uas"] else d["local"] + f";tag={d['local_tag']}"
        if d["uas"] and tag_of(d["local"]):
            local = d["local"]
        h = (f"{method} {d['remote_uri']} SIP/2.0\r\nVia: {self.via()}\r\nMax-Forwards: 70\r\n"
             f"From: {local}\r\nTo: {d['peer']}\r\nCall-ID: {d['call_id']}\r\nCSeq: {d['cseq']} {method}\r\n")
        for n, v in headers:
            h += f"{n}: {v}\r\n"
        self.send(h, body, d["remote"])
        cseq = f"{d['cseq']} {method}"
        return self.wait(lambda m: not m.is_request and m.header("cseq") == cseq and m.status >= 200, 8.0,
                         f"response to {method}")

    def expect_request(self, method, timeout=8.0, answer=200):
        """Waits for a request of the dialog's peer (INFO, BYE) and answers it."""
        m = self.wait(lambda m: m.is_request and m.method == method, timeout, method)
        if answer:
            self.respond(m, answer, "OK")
        return m

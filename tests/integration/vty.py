"""A telnet client for isupgw's VTY (libosmovty) and a transcript checker in the style of Osmocom's `.vty`
tests (osmo_verify_transcript_vty.py is not in Debian 12): a transcript is what an operator would see,

    isupgw> show calls
    1 call
    Call 1: active, answered, age ... s, called 4930123456

lines starting with the prompt are commands sent, the lines below them the exact output expected, where
`...` stands for any text within a line and a line holding only `...` for any number of lines."""
import re
import socket
import time

IAC, SB, SE = 255, 250, 240
PROMPT = re.compile(r"(?:^|\r\n)(isupgw[>#] )$")


class Vty:
    def __init__(self, port, host="127.0.0.1", timeout=15.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.timeout = timeout
        self.prompt = None
        self.banner = self._until_prompt()

    def _strip_telnet(self, data):
        """libosmovty negotiates echo and line mode at connect (IAC WILL ECHO, ...): drop every IAC sequence."""
        out, i = bytearray(), 0
        while i < len(data):
            b = data[i]
            if b != IAC:
                out.append(b)
                i += 1
            elif i + 1 < len(data) and data[i + 1] == IAC:
                out.append(IAC)
                i += 2
            elif i + 1 < len(data) and data[i + 1] == SB:
                end = data.find(bytes([IAC, SE]), i + 2)
                i = len(data) if end < 0 else end + 2
            elif i + 1 < len(data) and 251 <= data[i + 1] <= 254:
                i += 3
            else:
                i += 2
        return bytes(out)

    def _until_prompt(self):
        buf = b""
        deadline = time.monotonic() + self.timeout
        while True:
            text = self._strip_telnet(buf).decode("utf-8", "replace")
            m = PROMPT.search(text)
            if m:
                self.prompt = m.group(1)
                return text[:m.start(1)]
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no VTY prompt; got {text[-300:]!r}")
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError(f"VTY closed the connection; got {text[-300:]!r}")
            buf += data

    def cmd(self, line):
        """Sends one command line; the output lines (the echo of the line removed)."""
        self.sock.sendall(line.encode() + b"\r")
        text = self._until_prompt()
        lines = text.split("\r\n")
        if lines and lines[0].strip() == line.strip():
            lines = lines[1:]
        while lines and lines[-1] == "":
            lines.pop()
        return lines

    def try_line(self, data, timeout):
        """Sends `data` + CR: "prompt" when the VTY prompts again, "closed" when it closed the session,
        "silent" when neither within `timeout` (e.g. a telnet sub-negotiation left open)."""
        try:
            self.sock.sendall(data + b"\r")
        except OSError:
            return "closed"
        buf = b""
        deadline = time.monotonic() + timeout
        while True:
            if PROMPT.search(self._strip_telnet(buf).decode("utf-8", "replace")):
                return "prompt"
            left = deadline - time.monotonic()
            if left <= 0:
                return "silent"
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return "silent"
            except OSError:
                return "closed"
            if not data:
                return "closed"
            buf += data

    def send_raw(self, data):
        self.sock.sendall(data)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _line_rx(expected):
    return re.compile("^" + ".*".join(re.escape(p) for p in expected.split("...")) + "$")


def match_lines(expected, got):
    """True when `got` matches `expected` (lists of lines; `...` wildcards, see the module text)."""
    def go(i, j):
        if i == len(expected):
            return j == len(got)
        if expected[i].strip() == "...":
            return any(go(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and _line_rx(expected[i].rstrip()).match(got[j].rstrip()) is not None and go(i + 1, j + 1)
    return go(0, 0)


def verify_transcript(vty, transcript):
    """Runs every command of `transcript` on `vty`; a list of (command, expected, got) that differed."""
    steps, current = [], None
    for raw in transcript.strip("\n").splitlines():
        m = re.match(r"^(isupgw[>#]) (.*)$", raw)
        if m:
            current = (m.group(1), m.group(2), [])
            steps.append(current)
        elif current is not None:
            current[2].append(raw)
    failures = []
    for prompt, command, expected in steps:
        if vty.prompt != prompt + " ":
            failures.append((command, [f"prompt {prompt}"], [f"prompt {vty.prompt.strip()}"]))
        got = vty.cmd(command)
        if not match_lines(expected, got):
            failures.append((command, expected, got))
    return failures

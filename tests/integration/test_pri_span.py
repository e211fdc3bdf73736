"""The daemon's PRI span (issue 21, pri_spans): isupgw as the IUA ASP of mg-sim's SG end, a PBX played by
this script on mg-sim's LAPD socket with Q.921 / Q.931 octets written from the standards (ETSI EN 300 403-1,
Q.921), and a relay between isupgw and mg-sim that keeps every IUA message isupgw sent for tshark.
  isupgw ASPUP/ASPAC, Establish Request -> the span up; isupgw restarts the interface (Q.931 5.5.1,
  RESTART class 7 on the global call reference) -> the PBX acknowledges -> every B channel idle;
  the PBX restarts B channel 5 (5.5.2) -> RESTART ACKNOWLEDGE naming channel 5;
  the PBX's SETUP -> RELEASE COMPLETE cause 47 (this daemon has no routes, so no call engine takes PRI calls);
  a message for a call reference not in use -> RELEASE COMPLETE cause 81 (5.8.3.2);
  mg-sim's own view: the ASP active, the D channel established; tshark reads every IUA message isupgw sent
  and every Q.931 message the PBX received with nothing malformed.
Then the same span against libpri (tools/pri-peer as the PBX on a second mg-sim), libpri's own view the verdict:
  our interface restart reaches libpri (its RESTART channel=all, acknowledged by it); its RESTART of channel 5
  acknowledged by us (its RESTART_ACK channel=5); its call refused (its HANGUP cause=47); afterwards libpri
  has no call record and every B channel idle (STATUS), as in our span (VTY `show pri-spans`: none busy).
Calls through the span (SIPp <-> PRI) are integration.pri_call_libpri's."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading

from harness import Checks, Daemon
from iuaasp import recv_iua
from mgsim import SIM
from pripeer import PRI_PEER, PriPeer
from vty import Vty

ADDR = "127.0.0.96"


class Relay:
    """isupgw -> here -> mg-sim, message by message; keeps what isupgw sent."""

    def __init__(self, upstream_port):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((ADDR, 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.upstream_port = upstream_port
        self.from_asp = []
        self.threads = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        try:
            a, _ = self.listener.accept()
        except OSError:
            return
        b = socket.create_connection((ADDR, self.upstream_port))
        self.socks = (a, b)
        for src, dst, keep in ((a, b, self.from_asp), (b, a, None)):
            t = threading.Thread(target=self._pump, args=(src, dst, keep), daemon=True)
            t.start()

    @staticmethod
    def _pump(src, dst, keep):
        try:
            while True:
                m = recv_iua(src, timeout=None)
                if m is None:
                    break
                if keep is not None:
                    keep.append(m)
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


class Pbx:
    """The user side of Q.921 (SAPI 0, TEI 0, modulo 128) on mg-sim's LAPD socket; 2 dummy FCS octets per frame."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(path)
        self.vs = 0
        self.vr = 0
        self.received = []  # every Q.931 message from the network

    def send(self, frame):
        self.s.send(frame + b"\0\0")

    def frame(self, timeout=5.0):
        self.s.settimeout(timeout)
        try:
            return self.s.recv(1024)[:-2]
        except socket.timeout:
            return None

    def establish(self):
        self.send(bytes.fromhex("00017f"))  # SABME, P=1, user command (C/R 0)
        while True:
            f = self.frame()
            if f is None or (len(f) == 3 and f[2] & 0xef == 0x63):
                return f is not None

    def send_i(self, q931):
        # I frame, user command (C/R 0): N(S), N(R), P=0 (Q.921 3.6.2).
        self.send(bytes([0x00, 0x01, self.vs << 1, self.vr << 1]) + q931)
        self.vs = (self.vs + 1) % 128

    def recv_q931(self, want, timeout=5.0):
        """Q.931 messages from I frames (each acknowledged by RR) until want(msg); returns it or None."""
        while True:
            f = self.frame(timeout)
            if f is None:
                return None
            if len(f) > 4 and f[2] & 1 == 0:  # I frame
                if (f[2] >> 1) == self.vr:
                    self.vr = (self.vr + 1) % 128
                    self.send(bytes([0x02, 0x01, 0x01, self.vr << 1]))  # RR response (C/R 1), F=0
                    m = f[4:]
                    self.received.append(m)
                    if want(m):
                        return m


def q931_type(m):
    crl = m[1] & 0x0f
    return m[2 + crl]


def ies(m):
    """Codeset 0 variable-length IEs of a Q.931 message -> {id: contents}."""
    crl = m[1] & 0x0f
    off, out = 3 + crl, {}
    while off < len(m):
        i = m[off]
        if i & 0x80:
            off += 1
            continue
        out.setdefault(i, m[off + 2:off + 2 + m[off + 1]])
        off += 2 + m[off + 1]
    return out


def start_sim(path):
    p = subprocess.Popen([SIM, "--bind", ADDR, "--port", "0", "--iua", ADDR + ":0", "--lapd", "1=" + path],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    p.stdout.readline()
    m = re.search(r"mg-sim iua address=\S+ port=(\d+)", p.stdout.readline())
    return p, (int(m.group(1)) if m else None)


def stop_sim(p):
    if p is not None and p.poll() is None:
        try:
            p.stdin.write("quit\n")
            p.stdin.flush()
            p.wait(5)
        except (subprocess.TimeoutExpired, BrokenPipeError):
            p.kill()
            p.wait()


def gateway(port, vty=False):
    return Daemon(("management: {vty: {address: %s, port: 0}}\n" % ADDR if vty else "") + """logging: {level: info}
sip:
  listeners: [{transport: udp, address: %s, port: 0}]
pri_spans:
  - name: pbx
    iua: {transport: tcp, remote: {address: %s, port: %d}}
    interface_id: 1
    channels: ["1-15", "17-31"]
""" % (ADDR, ADDR, port))


def tshark_rows(tmp, name, packets, text2pcap_args, tshark_args, fields):
    dump = os.path.join(tmp, name + ".txt")
    with open(dump, "w") as f:
        for m in packets:
            for off in range(0, len(m), 16):
                f.write("%06x " % off + " ".join("%02x" % b for b in m[off:off + 16]) + "\n")
            f.write("\n")
    pcap = os.path.join(tmp, name + ".pcap")
    subprocess.run(["text2pcap", "-q"] + text2pcap_args + [dump, pcap], check=True, capture_output=True)
    cmd = ["tshark", "-n", "-r", pcap] + tshark_args + ["-T", "fields"]
    for fl in fields + ["_ws.malformed", "_ws.expert"]:
        cmd += ["-e", fl]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return [ln.split("\t") for ln in r.stdout.splitlines()], r.stdout + r.stderr


c = Checks()
if not os.access(SIM, os.X_OK):
    c.skip("mg-sim not built")
tmp = tempfile.mkdtemp(prefix="isupgw-pri-span-")
path = os.path.join(tmp, "d1.sock")
sim, sim_port = start_sim(path)
gw = gw2 = sim2 = pp = None
relay = relay2 = None
try:
    c.check("mg-sim listens for IUA", sim_port is not None)
    relay = Relay(sim_port)
    pbx = Pbx(path)
    c.check("the PBX's SABME answered UA", pbx.establish())
    gw = gateway(relay.port)
    # Q.931 5.5.1: the data link up, isupgw restarts the interface: RESTART, global call reference, class 7.
    restart = pbx.recv_q931(lambda q: q931_type(q) == 0x46, timeout=10)
    c.check("isupgw restarts the interface once the span is up (RESTART, call reference 0, class 7)",
            restart is not None and restart[1:4] == bytes.fromhex("020000") and ies(restart).get(0x79) == b"\x87",
            restart.hex() if restart else gw.lines[-5:])
    pbx.send_i(bytes.fromhex("080280004e790187"))  # RESTART ACKNOWLEDGE (flag 1: we did not allocate it)
    c.check("our acknowledgement completes it (isupgw's log: the only view of its restart state here)",
            gw.wait_for(r"pri_restart_acknowledged.*span=pbx") is not None, gw.lines[-5:])

    # 5.5.2: the PBX restarts B channel 5 (class 0, Channel identification PRI, exclusive, channel 5).
    pbx.send_i(bytes.fromhex("08020000" "46" "1803a98385" "790180"))
    ack = pbx.recv_q931(lambda q: q931_type(q) == 0x4e)
    c.check("RESTART ACKNOWLEDGE for channel 5, class 0, flag set (5.5.2, 4.3)",
            ack is not None and ack[1:4] == bytes.fromhex("028000") and ies(ack).get(0x18) == bytes.fromhex("a98385")
            and ies(ack).get(0x79) == b"\x80", ack.hex() if ack else None)

    # An incoming call: SETUP, call reference 5, speech A-law, channel 3 exclusive, called 3012345 (en bloc).
    setup = bytes.fromhex("0802000505" "a1" "040380 90a3" "1803a98383" "6c0a2181 3330313233343536"
                          "7008a1 33303132333435".replace(" ", ""))
    pbx.send_i(setup)
    rc = pbx.recv_q931(lambda q: q931_type(q) == 0x5a)
    cause = ies(rc).get(0x08) if rc else None
    c.check("the SETUP is refused with RELEASE COMPLETE, cause 47, location public network (no routes)",
            rc is not None and rc[1:4] == bytes.fromhex("028005") and cause == bytes.fromhex("82af"),
            rc.hex() if rc else None)

    # 5.8.3.2 a: a DISCONNECT for a call reference not in use -> RELEASE COMPLETE cause 81.
    pbx.send_i(bytes.fromhex("0802000945" "08028290"))
    rc81 = pbx.recv_q931(lambda q: q931_type(q) == 0x5a)
    c.check("a DISCONNECT for an unknown call reference -> RELEASE COMPLETE cause 81 (5.8.3.2)",
            rc81 is not None and ies(rc81).get(0x08) == bytes.fromhex("82d1"), rc81.hex() if rc81 else None)

    sim.stdin.write("iua\n")
    sim.stdin.flush()
    status = sim.stdout.readline().strip()
    c.check("mg-sim's view: isupgw's ASP active, the D channel established",
            status == "ok iua asp=ASP-ACTIVE 1=7_multiple_frame_established", status)

    if shutil.which("text2pcap") and shutil.which("tshark"):
        sent = list(relay.from_asp)  # one copy: isupgw still runs, a BEAT may follow while tshark reads
        rows, out = tshark_rows(tmp, "iua", sent, ["-S", "9900,9900,1"],
                                ["-o", "iua.use_gsm_sapi_values:FALSE"],
                                ["iua.message_class", "iua.message_type", "q931.message_type"])
        c.check("tshark reads every IUA message isupgw sent (%d)" % len(sent),
                len(rows) == len(sent) and len(rows) >= 5 and all(r[0] for r in rows), out)
        c.check("nothing malformed in isupgw's IUA", all(not r[3] and not r[4] for r in rows), out)
        c.check("isupgw's Data Requests carry RESTART, RESTART ACKNOWLEDGE, RELEASE COMPLETE",
                {"0x46", "0x4e", "0x5a"} <= {r[2] for r in rows if r[2]} or
                {"70", "78", "90"} <= {r[2] for r in rows if r[2]}, out)
        rows, out = tshark_rows(tmp, "q931", pbx.received, ["-l", "147"],
                                ["-o", 'uat:user_dlts:"User 0 (DLT=147)","q931","0","","0",""'],
                                ["q931.message_type", "q931.cause_value", "q931.channel.number"])
        c.check("tshark reads every Q.931 message the PBX received (%d) with nothing malformed" % len(pbx.received),
                len(rows) == len(pbx.received) and all(r[0] and not r[3] and not r[4] for r in rows), out)
        c.check("tshark: causes 47 and 81, channel 5 in the RESTART ACKNOWLEDGE",
                "47" in [r[1] for r in rows] and "81" in [r[1] for r in rows] and "5" in [r[2] for r in rows], out)
    else:
        print("SKIP tshark part: text2pcap/tshark not installed")

    rc_, secs = gw.stop()
    c.check("isupgw stops cleanly", rc_ == 0, rc_)

    # The same span with libpri as the PBX (tools/pri-peer).
    if os.access(PRI_PEER, os.X_OK):
        path2 = os.path.join(tmp, "d2.sock")
        sim2, sim2_port = start_sim(path2)
        relay2 = Relay(sim2_port)
        pp = PriPeer(path2)
        c.check("libpri's D channel up on mg-sim", pp.wait("DCHAN", "UP") is not None, pp.lines[-3:])
        gw2 = gateway(relay2.port, vty=True)
        c.check("libpri receives and acknowledges our restart of the interface (Q.931 5.5.1, class 7)",
                pp.wait("RESTART", "channel=all") is not None, pp.lines[-3:])
        c.check("isupgw's restart completed", gw2.wait_for(r"pri_restart_acknowledged.*span=pbx") is not None)
        pp.send("restart 5")
        c.check("libpri's RESTART of channel 5 acknowledged by isupgw (5.5.2)",
                pp.wait("RESTART_ACK", "channel=5") is not None, pp.lines[-3:])
        pp.send("call 3012345 channel=3")
        hang = pp.wait("HANGUP")
        c.check("libpri's call refused with cause 47 (no routes)", PriPeer.field(hang, "cause") == "47", hang)
        st = pp.idle(timeout=5)
        c.check("libpri's view afterwards: no call record, every B channel idle", st is not None and
                st.get("channels") == 30 and st.get("idle") == 30, pp.lines[-3:])
        c.check("isupgw's view: the refused call released its channel (log)",
                gw2.wait_for(r"pri_setup_refused.*channel=3") is not None)
        vl = gw2.wait_for(r"core vty_listening address=\S+ port=(\d+)")
        if vl:
            v = Vty(int(re.search(r"port=(\d+)", vl).group(1)), host=ADDR)
            out = v.cmd("show pri-spans")
            v.close()
            c.check("isupgw's view (VTY show pri-spans): ASP active, data link up, no restart pending, 30 B channels, "
                    "none busy, no call",
                    "Span pbx: ASP-ACTIVE, data link up, restart null, 30 B channels, 0 busy, 0 calls" in out, out)
        else:
            c.check("VTY listening", False, gw2.lines[-5:])
        rc2, _ = gw2.stop()
        c.check("isupgw stops cleanly (libpri run)", rc2 == 0, rc2)
        if shutil.which("text2pcap") and shutil.which("tshark"):
            sent2 = list(relay2.from_asp)  # one copy for tshark and for the count
            rows, out = tshark_rows(tmp, "iua2", sent2, ["-S", "9900,9900,1"],
                                    ["-o", "iua.use_gsm_sapi_values:FALSE"],
                                    ["iua.message_class", "iua.message_type", "q931.message_type"])
            c.check("tshark reads every IUA message isupgw sent to libpri's SG (%d), nothing malformed" %
                    len(sent2), len(rows) == len(sent2) and
                    all(r[0] and not r[3] and not r[4] for r in rows), out)
    else:
        print("SKIP libpri part: pri-peer not built")
finally:
    for g in (gw, gw2):
        if g is not None:
            g.cleanup()
    for r in (relay, relay2):
        if r is not None:
            r.close()
    if pp is not None:
        pp.stop()
    stop_sim(sim)
    stop_sim(sim2)
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

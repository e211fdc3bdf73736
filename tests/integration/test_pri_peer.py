"""tools/pri-peer (issue 21): libpri as the PBX (user side, EuroISDN E1) on mg-sim's LAPD
socket; this script is the network side: an IUA ASP (TCP, 127.0.0.97) whose Q.931 octets
are written from the standard (Q.931 / EN 300 403-1 clause 4 and 5). The verdicts are
libpri's (pri-peer's event lines and its `status`: libpri's own call-record count), the
Q.931 libpri sends as mg-sim relays it, and tshark's decode of every IUA message.
  pri-peer's D channel comes up (SABME/UA: PRI_EVENT_DCHAN_UP); the network's SETUP ->
  RING, `answer` -> CONNECT; the network's DISCONNECT 16 -> RELEASE (5.3.4); a second SETUP
  refused `busy` -> RELEASE COMPLETE 17 (libpri clears a call still in the call present
  state with RELEASE COMPLETE, 5.3.2 d)); libpri calls out (SETUP, channel 3 exclusive) -> CALL
  PROCEEDING, ALERTING, CONNECT -> ANSWER; libpri hangs up -> DISCONNECT 16; a RESTART of
  all interfaces (class 7, 5.5) from the network clears libpri's call and is acknowledged;
  pri-peer's `restart` sends one RESTART per B channel (libpri restarts one indicated
  channel at a time), all 30 acknowledged; overlap receiving (`more`, INFORMATION) and sending
  (`call ... overlap`, `info`), no answer (DISCONNECT 19); `load 5` from libpri; after each row
  no B channel busy in libpri's view."""
import os
import re
import socket
import subprocess
import tempfile
import shutil

from harness import Checks
from iuaasp import data_request, iua_until, recv_iua, start_asp, tlvs, tshark_rows
from mgsim import SIM
from pripeer import PRI_PEER, PriPeer, stop_mg_sim

ADDR = "127.0.0.97"
E1_CHANNELS = list(range(1, 16)) + list(range(17, 32))


def q931(cr, to_originator, mtype, ies=b""):
    """A Q.931 message with a 2-octet call reference (4.3: flag 1 on messages sent to the side
    that allocated the reference)."""
    return bytes([0x08, 2, (0x80 if to_originator else 0) | (cr >> 8) & 0x7f, cr & 0xff, mtype]) + ies


def chan_ie(channel):
    # Channel identification (4.5.13): primary rate, exclusive, B channel units, channel number.
    return bytes([0x18, 3, 0xa9, 0x83, 0x80 | channel])


def cause_ie(cause):
    return bytes([0x08, 2, 0x82, 0x80 | cause])  # location: public network serving the local user


def digits_ie(iei, digits, octet3=0xa1):
    return bytes([iei, 1 + len(digits), octet3]) + digits.encode()


def parse(q):
    """(call reference, flag, message type, {IE id: contents}) of a Q.931 message."""
    n = q[1] & 0x0f
    cr = int.from_bytes(q[2:2 + n], "big") & ~(0x80 << 8 * (n - 1)) if n else 0
    flag = bool(q[2] & 0x80) if n else False
    ies, i = {}, 3 + n
    while i < len(q):
        if q[i] & 0x80:  # single-octet IE (4.5.1): type 2 (0xAx) whole, type 1 by its upper half
            ies.setdefault(q[i] if (q[i] & 0xf0) == 0xa0 else q[i] & 0xf0, b"")
            i += 1
            continue
        ies.setdefault(q[i], q[i + 2:i + 2 + q[i + 1]])
        i += 2 + q[i + 1]
    return cr, flag, q[2 + n], ies


def setup(cr, channel, called, complete=True):
    # Sending complete, Bearer capability (speech, 64 kbit/s circuit, A-law), Channel identification,
    # Calling party number (national, ISDN plan; presentation allowed, network provided: 4.5.10),
    # Called party number (national, ISDN plan: 4.5.8).
    return q931(cr, False, 0x05, (bytes([0xa1]) if complete else b"") + bytes.fromhex("04038090a3") + chan_ie(channel) +
                bytes([0x6c, 10, 0x21, 0x83]) + b"30123456" + digits_ie(0x70, called))


c = Checks()
for tool in (SIM, PRI_PEER):
    if not os.access(tool, os.X_OK):
        c.skip(os.path.basename(tool) + " not built (pri-peer needs libpri-dev)")
tmp = tempfile.mkdtemp(prefix="isupgw-pri-peer-")
path = os.path.join(tmp, "d1.sock")
sim = subprocess.Popen([SIM, "--bind", ADDR, "--port", "0", "--iua", ADDR + ":0", "--lapd", "1=" + path],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
peer = None
got = []  # every IUA message on the association, both ways, for tshark
asp = None


def send(q):
    m = data_request(q)
    got.append(m)
    asp.sendall(m)


def receive_any(timeout=5.0):
    """The next Q.931 message libpri sent (a Data Indication), parsed; None if none."""
    while True:
        m = recv_iua(asp, timeout)
        if m is None:
            return None
        got.append(m)
        if m[2] == 5 and m[3] == 2:
            return parse(tlvs(m)[0xe])


def receive(mtype, timeout=5.0):
    """The next Q.931 message of type `mtype` libpri sent, parsed (others skipped); None if none."""
    while True:
        p = receive_any(timeout)
        if p is None or p[2] == mtype:
            return p


try:
    sim.stdout.readline()
    m = re.search(r"mg-sim iua address=\S+ port=(\d+)", sim.stdout.readline())
    c.check("mg-sim listens for IUA", m is not None)
    port = int(m.group(1))
    peer = PriPeer(path, "--side", "user", "--switchtype", "euroisdn", "--overlap")
    c.check("pri-peer's D channel up: libpri's SABME answered by mg-sim's LAPD (PRI_EVENT_DCHAN_UP)",
            peer.wait("DCHAN", "UP") is not None, peer.lines)
    asp = socket.create_connection((ADDR, port), timeout=5)
    c.check("the ASP active (ASPUP, ASPAC acknowledged)", start_asp(asp, got))
    c.check("Establish Indication for interface 1", iua_until(asp, 5, 7, got) is not None)

    # 1. The network calls the PBX: SETUP on B channel 1 -> libpri's RING; `answer` -> its CONNECT.
    send(setup(1, 1, "30999888"))
    ring = peer.wait("RING", "channel=1", "called=30999888", "calling=30123456", "complete=1")
    c.check("the network's SETUP reaches libpri: RING on channel 1 with both numbers", ring is not None, peer.lines)
    call = PriPeer.field(ring, "call")
    st, busy = peer.status()
    c.check("libpri's view while the call is up: channel 1 busy, one call record",
            st and st["busy"] == 1 and st["libpri_calls"] == 1 and "channel=1" in busy[0], (st, busy))
    peer.send("answer call=%s" % call)
    conn = receive(0x07)
    c.check("libpri answers: CONNECT, call reference 1 flagged (to the originator)",
            conn is not None and conn[0] == 1 and conn[1], conn)
    send(q931(1, False, 0x0f))  # CONNECT ACKNOWLEDGE
    send(q931(1, False, 0x45, cause_ie(16)))  # DISCONNECT, normal clearing
    c.check("the network's DISCONNECT 16 reaches libpri", peer.wait("HANGUP", "call=" + call, "cause=16") is not None)
    rel = receive(0x4d)
    c.check("libpri answers the DISCONNECT with RELEASE (5.3.4)", rel is not None and rel[0] == 1, rel)
    send(q931(1, False, 0x5a))
    c.check("after RELEASE COMPLETE: no B channel busy, no call record in libpri", peer.idle() is not None,
            peer.lines[-3:])

    # 2. Busy: `busy` on a call present -> libpri's DISCONNECT 17 (5.3.2); unallocated number:
    # `reject 1` -> RELEASE COMPLETE 1 (libpri's choice for cause 1 from the call present state, 5.3.2 a)).
    send(setup(2, 2, "30999889"))
    ring = peer.wait("RING", "channel=2")
    peer.send("busy call=%s" % PriPeer.field(ring, "call"))
    d = receive(0x45)
    c.check("`busy`: libpri clears with DISCONNECT cause 17 user busy", d is not None and d[0] == 2 and
            d[3].get(0x08, b"  ")[1] & 0x7f == 17, (d, peer.lines[-4:]))
    send(q931(2, False, 0x4d))
    c.check("libpri answers RELEASE with RELEASE COMPLETE", receive(0x5a) is not None)
    send(setup(4, 4, "30999000"))
    ring = peer.wait("RING", "channel=4")
    peer.send("reject 1 call=%s" % PriPeer.field(ring, "call"))
    rc = receive(0x5a)
    c.check("`reject 1`: libpri refuses with RELEASE COMPLETE cause 1 unallocated number",
            rc is not None and rc[0] == 4 and rc[3].get(0x08, b"  ")[1] & 0x7f == 1, rc)
    c.check("idle again in libpri's view", peer.idle() is not None)

    # 3. libpri calls out on channel 3: SETUP; the network proceeds, alerts, connects; libpri hangs up.
    peer.send("call 30999777 calling=30123456 channel=3")
    out = PriPeer.field(peer.wait("CALLING", "channel=3"), "call")
    s = receive(0x05)
    c.check("libpri's SETUP at the network: channel 3 exclusive, called 30999777",
            s is not None and not s[1] and s[3].get(0x18, b"")[-1:] == b"\x83" and s[3].get(0x18)[0] & 0x08 and
            s[3].get(0x70, b"")[1:] == b"30999777", s)
    cr = s[0] if s else 0
    send(q931(cr, True, 0x02, chan_ie(3)))  # CALL PROCEEDING names the B channel (5.1.2)
    send(q931(cr, True, 0x01))
    send(q931(cr, True, 0x07))
    c.check("libpri sees CALL PROCEEDING, ALERTING, CONNECT",
            peer.wait("PROCEEDING", "call=%s" % out) and peer.wait("RINGING", "call=%s" % out) and
            peer.wait("ANSWER", "call=%s" % out), peer.lines[-4:])
    peer.send("hangup 16 call=%s" % out)
    d = receive(0x45)
    c.check("libpri clears: DISCONNECT cause 16", d is not None and d[0] == cr and
            d[3].get(0x08, b"  ")[1] & 0x7f == 16, d)
    send(q931(cr, True, 0x4d))
    c.check("libpri answers RELEASE with RELEASE COMPLETE", receive(0x5a) is not None)
    c.check("idle after libpri's own call", peer.idle() is not None)

    # 4. RESTART of all interfaces from the network (restart indicator class 7, global call reference)
    # with a call up on channel 5: libpri acknowledges, pri-peer clears the call.
    send(setup(3, 5, "30999880"))
    r5 = peer.wait("RING", "channel=5")
    send(q931(0, False, 0x46, bytes([0x79, 1, 0x87])))
    ack = receive(0x4e)
    c.check("the network's RESTART (all interfaces) acknowledged by libpri",
            ack is not None and ack[0] == 0 and ack[3].get(0x79) == b"\x87", ack)
    c.check("libpri reports the restart; the call on channel 5 cleared",
            peer.wait("RESTART", "channel=all") is not None and
            peer.wait("CLEARED", "call=" + PriPeer.field(r5, "call"), "reason=restart") is not None, peer.lines[-3:])
    c.check("every B channel idle in libpri's view after the network's RESTART", peer.idle() is not None)

    # 5. RESTART from the PBX with a call of its own on channel 7: one RESTART per B channel.
    peer.send("call 30999700 channel=7")
    s7 = receive(0x05)
    c.check("libpri's SETUP on channel 7", s7 is not None)
    peer.send("restart")
    restarted = []
    while len(restarted) < len(E1_CHANNELS):
        r = receive(0x46)
        if r is None:
            break
        ch = r[3].get(0x18, b"\0")[-1] & 0x7f
        restarted.append(ch)
        send(q931(0, True, 0x4e, chan_ie(ch) + bytes([0x79, 1, 0x80])))
    c.check("pri-peer's `restart`: a RESTART (indicated channel) for every B channel 1-15, 17-31",
            restarted == E1_CHANNELS, restarted)
    c.check("libpri sees every RESTART ACKNOWLEDGE", peer.wait("RESTARTED") is not None, peer.lines[-3:])
    c.check("the PBX's own call on channel 7 cleared by its restart",
            any(ln.startswith("CLEARED") and "channel=7" in ln for ln in peer.lines), peer.lines)
    c.check("every B channel idle in libpri's view after its RESTART", peer.idle() is not None)

    # 6. Overlap receiving (5.2.4): a SETUP without Sending complete -> RING complete=0; `more` ->
    # SETUP ACKNOWLEDGE; INFORMATION with the rest and Sending complete -> libpri's INFO; answered.
    send(setup(6, 6, "3099", complete=False))
    ring = peer.wait("RING", "channel=6", "called=3099", "complete=0")
    c.check("overlap receiving: RING with the first digits, not complete", ring is not None, peer.lines[-3:])
    call = PriPeer.field(ring, "call")
    peer.send("more call=%s" % call)
    sa = receive(0x0d)
    c.check("`more`: libpri's SETUP ACKNOWLEDGE", sa is not None and sa[0] == 6, sa)
    send(q931(6, False, 0x7b, bytes([0xa1]) + digits_ie(0x70, "9888")))
    c.check("the INFORMATION's digits reach libpri, complete",
            peer.wait("INFO", "call=" + call, "digits=9888", "called=30999888", "complete=1") is not None,
            peer.lines[-3:])
    peer.send("answer call=%s" % call)
    c.check("the overlap call answered: CONNECT", receive(0x07) is not None)
    send(q931(6, False, 0x45, cause_ie(16)))
    receive(0x4d)
    send(q931(6, False, 0x5a))
    c.check("idle after the overlap call", peer.idle() is not None)

    # 7. Overlap sending (5.1.3): `call ... overlap` -> SETUP without Sending complete; the network's
    # SETUP ACKNOWLEDGE; `info` -> one INFORMATION a digit; no answer: the network clears with 19.
    peer.send("call 3099 channel=9 overlap")
    out = PriPeer.field(peer.wait("CALLING", "channel=9"), "call")
    s = receive(0x05)
    c.check("overlap sending: SETUP with 3099, no Sending complete",
            s is not None and s[3].get(0x70, b"")[1:] == b"3099" and 0xa1 not in s[3], s)
    cr = s[0] if s else 0
    send(q931(cr, True, 0x0d, chan_ie(9)))
    c.check("libpri sees the SETUP ACKNOWLEDGE", peer.wait("SETUP_ACK", "call=%s" % out) is not None)
    peer.send("info 9777 call=%s" % out)
    digits = b""
    while len(digits) < 4:
        i = receive(0x7b)
        if i is None:
            break
        digits += i[3].get(0x70, b"?")[1:]
    c.check("`info 9777`: INFORMATION messages with the digits 9777", digits == b"9777", digits)
    send(q931(cr, True, 0x02))
    send(q931(cr, True, 0x01))
    send(q931(cr, True, 0x45, cause_ie(19)))  # no answer
    c.check("no answer: the network's DISCONNECT 19 reaches libpri",
            peer.wait("HANGUP", "call=%s" % out, "cause=19") is not None, peer.lines[-3:])
    c.check("libpri releases", receive(0x4d) is not None)
    send(q931(cr, True, 0x5a))
    c.check("idle after the overlap call out", peer.idle() is not None)

    # 8. Load mode: 5 calls from libpri at 20/s, each answered by the network and cleared by libpri.
    peer.send("load 5 30999555 rate=20 hold=100")
    released = 0
    while released < 5:
        p = receive_any()
        if p is None:
            break
        if p[2] == 0x05:
            send(q931(p[0], True, 0x02, chan_ie(p[3].get(0x18, b"\0")[-1] & 0x7f)))
            send(q931(p[0], True, 0x07))
        elif p[2] == 0x45:
            send(q931(p[0], True, 0x4d))
        elif p[2] == 0x5a:
            released += 1
    done = peer.wait("LOAD", "done")
    c.check("`load 5`: every call answered and cleared by libpri", done is not None and
            "answered=5" in done.split() and "failed=0" in done.split(), (done, peer.lines[-5:]))
    c.check("idle after the load run", peer.idle() is not None)

    # 9. Auto modes: `auto answer` -> CALL PROCEEDING, ALERTING, CONNECT with no command; `auto busy`.
    peer.send("auto answer ring-delay=50")
    peer.wait("AUTO", "mode=answer")  # the mode holds before the network's SETUP
    send(setup(10, 10, "30999810"))
    seen = [receive_any() for _ in range(3)]
    c.check("`auto answer`: libpri sends CALL PROCEEDING, ALERTING, CONNECT on its own",
            [p[2] if p else None for p in seen] == [0x02, 0x01, 0x07], seen)
    send(q931(10, False, 0x45, cause_ie(16)))
    receive(0x4d)
    send(q931(10, False, 0x5a))
    peer.send("auto busy")
    peer.wait("AUTO", "mode=busy")  # the mode holds before the network's SETUP
    send(setup(11, 11, "30999811"))
    seen = [receive_any() for _ in range(2)]
    c.check("`auto busy`: CALL PROCEEDING, then DISCONNECT 17",
            [p[2] if p else None for p in seen] == [0x02, 0x45] and seen[1][3].get(0x08, b"  ")[1] & 0x7f == 17, seen)
    send(q931(11, False, 0x4d))
    receive(0x5a)
    peer.send("auto off")
    peer.wait("AUTO", "mode=off")  # the mode holds before the network's SETUP
    c.check("idle after the auto rows", peer.idle() is not None, peer.status())

    decoded = tshark_rows(got, tmp, ("iua.message_class", "iua.message_type", "q931.message_type",
                                     "q931.called_party_number.digits"))
    if decoded is None:
        print("SKIP tshark part: text2pcap/tshark not installed")
    else:
        rows, text = decoded
        c.check("tshark reads every IUA message both ways", len(rows) == len(got) and all(r[0] for r in rows),
                text[-2000:])
        c.check("nothing malformed", all(not r[4] and not r[5] for r in rows), text[-2000:])
        c.check("tshark decodes libpri's SETUP with called number 30999777",
                any(r[2] in ("5", "0x05") and r[3] == "30999777" for r in rows), text[-2000:])
finally:
    if peer:
        peer.stop()
    if asp:
        asp.close()
    stop_mg_sim(sim)
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

"""libpri as the PBX on the daemon's PRI span (issue 21): isupgw (IUA ASP) <-> a relay <-> mg-sim (SG,
LAPD) <-> libpri (tools/pri-peer, user side, EuroISDN E1, 30 B channels). libpri's ISDN call control is
the PBX's alone; the verdicts are libpri's events and its own call-record count (pri-peer `status`),
and tshark's decode of every IUA message between isupgw and mg-sim.
  libpri's D channel up; isupgw restarts the interface once its data link is up (Q.931 5.5.1, class 7):
  libpri's PRI_EVENT_RESTART for all channels (libpri acknowledges); libpri restarts every B channel in
  turn (5.5.2, class "indicated channel"): isupgw acknowledges each of the 30; every B channel idle in
  both views after each restart: libpri's (pri-peer `status`) and the gateway's (VTY `show pri-spans`).
Calls through the span are in test_pri_call_libpri.py (SIP <-> PRI) and test_pri_isup_transit.py (PRI <-> ISUP)."""
import os
import re
import shutil
import subprocess
import tempfile

from harness import Checks, Daemon
from iuaasp import IuaRelay, tshark_rows
from mgsim import SIM
from pripeer import PRI_PEER, PriPeer, stop_mg_sim
from vty import Vty

ADDR = "127.0.0.97"
E1 = list(range(1, 16)) + list(range(17, 32))

c = Checks()
for tool in (SIM, PRI_PEER):
    if not os.access(tool, os.X_OK):
        c.skip(os.path.basename(tool) + " not built (pri-peer needs libpri-dev)")
tmp = tempfile.mkdtemp(prefix="isupgw-pri-libpri-")
path = os.path.join(tmp, "d1.sock")
sim = subprocess.Popen([SIM, "--bind", ADDR, "--port", "0", "--iua", ADDR + ":0", "--lapd", "1=" + path],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
peer = gw = relay = None
try:
    sim.stdout.readline()
    m = re.search(r"mg-sim iua address=\S+ port=(\d+)", sim.stdout.readline())
    c.check("mg-sim listens for IUA", m is not None)
    relay = IuaRelay(ADDR, int(m.group(1)))  # isupgw -> relay -> mg-sim: the daemon's IUA for tshark
    peer = PriPeer(path, "--side", "user", "--switchtype", "euroisdn")
    c.check("libpri's D channel up on mg-sim's LAPD", peer.wait("DCHAN", "UP") is not None, peer.lines)
    gw = Daemon("""management: {vty: {address: %s, port: 0}}
logging: {level: info}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: 0}]
pri_spans:
  - name: pbx
    iua: {transport: tcp, remote: {address: %s, port: %d}}
    interface_id: 1
    channels: ["1-15", "17-31"]
""" % (ADDR, ADDR, relay.port))
    vl = gw.wait_for(r"core vty_listening address=\S+ port=(\d+)")
    c.check("isupgw's VTY listens", vl is not None, gw.lines[-5:])
    vty_port = int(re.search(r"port=(\d+)", vl).group(1)) if vl else 9

    def gateway_idle():
        """isupgw's view (VTY show pri-spans): the span up, no restart pending, 30 B channels, none busy."""
        v = Vty(vty_port, host=ADDR)
        out = v.cmd("show pri-spans")
        v.close()
        return "Span pbx: ASP-ACTIVE, data link up, restart null, 30 B channels, 0 busy, 0 calls" in out, out

    c.check("isupgw restarts the interface once the span is up: libpri's PRI_EVENT_RESTART for all channels",
            peer.wait("RESTART", "channel=all", timeout=15) is not None, peer.lines[-5:] + gw.lines[-5:])
    c.check("libpri's acknowledgement completes isupgw's restart (its log)",
            gw.wait_for(r"pri_restart_acknowledged.*span=pbx") is not None, gw.lines[-5:])
    st = peer.idle()
    c.check("every B channel idle in libpri's view after isupgw's restart", st is not None, peer.lines[-3:])
    c.check("every B channel idle in isupgw's view (show pri-spans) after its restart", *gateway_idle())

    mark = len(peer.lines)
    peer.send("restart")
    c.check("libpri restarts the B channels one by one, each acknowledged by isupgw",
            peer.wait("RESTARTED", timeout=20) is not None, peer.lines[mark:][-5:])
    acked = [int(PriPeer.field(ln, "channel")) for ln in peer.lines[mark:] if ln.startswith("RESTART_ACK")]
    c.check("libpri's RESTART ACKNOWLEDGE events name every B channel 1-15, 17-31", acked == E1, acked)
    st = peer.idle()
    c.check("every B channel idle in libpri's view after its restart", st is not None, peer.lines[-3:])
    c.check("every B channel idle in isupgw's view (show pri-spans) after libpri's restart", *gateway_idle())
    rc, _ = gw.stop()
    c.check("isupgw stops cleanly", rc == 0, gw.lines[-10:])

    relayed = relay.drained()  # isupgw has stopped: its last messages (ASPDN, ...) are through the relay
    decoded = tshark_rows(relayed, tmp, ("iua.message_class", "iua.message_type", "q931.message_type"))
    if decoded is None:
        print("SKIP tshark part: text2pcap/tshark not installed")
    else:
        rows, text = decoded
        c.check("tshark reads every IUA message between isupgw and mg-sim (%d)" % len(relayed),
                len(rows) == len(relayed) and len(rows) > 60 and all(r[0] for r in rows),
                (len(rows), len(relayed), text[-2000:]))
        c.check("nothing malformed in the IUA and Q.931 both ways", all(not r[3] and not r[4] for r in rows),
                text[-2000:])
        types = [r[2] for r in rows if r[2]]
        c.check("tshark: 31 RESTART and 31 RESTART ACKNOWLEDGE (isupgw's class 7 and libpri's 30)",
                sum(t in ("0x46", "70") for t in types) == 31 and sum(t in ("0x4e", "78") for t in types) == 31,
                types)
finally:
    if peer:
        peer.stop()
    if gw is not None:
        gw.cleanup()
    if relay is not None:
        relay.close()
    stop_mg_sim(sim)
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

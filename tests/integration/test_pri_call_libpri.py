"""The libpri judge of issue 21: SIPp <-> isupgw <-> IUA <-> mg-sim (SG, LAPD) <-> libpri as the PBX
(tools/pri-peer, user side, EuroISDN E1, 30 B channels). libpri's ISDN call control is the PBX's alone;
the verdicts are libpri's events and its own call-record count (pri-peer `status`), SIPp's exit codes
and, for the gateway's B channels, its log and stop report.

Rows, one daemon, one mg-sim and one libpri for all: the D channel up and the gateway's RESTART of the
interface (Q.931 5.5, class 7) taken by libpri; SIP -> PRI answered and released by each side; PRI -> SIP
answered and released by each side; SIP -> PRI busy (17 -> 486), unallocated (1 -> 404), no answer
(ALERTING, then 19 -> 480), CANCEL while libpri alerts; PRI -> SIP busy (486 -> 17), unallocated (404 -> 1),
libpri abandoning while SIPp rings (CANCEL); overlap dialling from libpri (SETUP without Sending complete +
INFORMATION); overlap sending to libpri (RFC 3578 INVITEs from an `overlap: true` trunk -> SETUP without Sending
complete, libpri's SETUP ACKNOWLEDGE, INFORMATION with the new digits: libpri's own RING complete=0 and INFO); libpri's RESTART of every B channel; a short load (40 calls each way at 20/s: SIPp's counts,
libpri's LOAD count; scripts/bench-pri runs 1,000). After each row no B channel busy in libpri's view
(pri-peer status: libpri's own call records and channels) nor in ours (VTY `show pri-spans`).

B-channel media (issue 21): the span's channels are endpoints ds/e1-0/N@mg1 of mg-sim (which is also the IUA
SG), media address 127.0.0.102. The MG's own view is the verdict: while an answered call runs, mg-sim's `conns`
holds one connection, sendrecv, on the endpoint of the B channel libpri was given (its RING / ANSWER line), and
after every row it holds none; SIPp checks that the SDP it gets (the 200 to its INVITE, the INVITE to it) has the
MG's c= and m= (127.0.0.102, an mg-sim port), not the gateway's placeholder."""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

from harness import wait_until

from calltest import free_port, scenario, sip_port, uac, uas, wait_uas
from harness import Checks, Daemon
from iuaasp import IuaRelay, tshark_rows
from mgsim import SIM
from pripeer import PRI_PEER, PriPeer, stop_mg_sim
from calltest import SIPP
from vty import Vty

ADDR = "127.0.0.101"
MEDIA = "127.0.0.102"  # mg-sim's RTP address: what SIPp must see in the SDP

c = Checks()
for tool in (SIM, PRI_PEER):
    if not os.access(tool, os.X_OK):
        c.skip(os.path.basename(tool) + " not built (pri-peer needs libpri-dev)")
UAS_PORT = free_port()
tmp = tempfile.mkdtemp(prefix="isupgw-pri-libpri-")
path = os.path.join(tmp, "d1.sock")
sim = subprocess.Popen([SIM, "--bind", ADDR, "--port", "0", "--domain", "mg1", "--spans", "1", "--media-address", MEDIA,
                        "--iua", ADDR + ":0", "--lapd", "1=" + path],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
peer = gw = relay = None


def in_thread(fn):
    t = threading.Thread(target=lambda: setattr(t, "r", fn()))
    t.start()
    return t


def sipp_result(t):
    t.join(60)
    return getattr(t, "r", (1, "no run"))


sim_lock = threading.Lock()


def mg(command, timeout=5):
    """One mg-sim control line and its answer line (None if none within `timeout`)."""
    with sim_lock:
        sim.stdin.write(command + "\n")
        sim.stdin.flush()
        out = []
        t = threading.Thread(target=lambda: out.append(sim.stdout.readline().strip()), daemon=True)
        t.start()
        t.join(timeout)
        return out[0] if out else None


def mg_conns():
    """mg-sim's connections: [(endpoint, mode)] (its `conns`: id|endpoint|mode|t38|L)."""
    line = mg("conns") or ""
    return [tuple(f.split("|")[1:3]) for f in line.split()[3:]] if line.startswith("ok conns") else None


def with_mg_sdp(name, message):
    """A copy of SIPp scenario `name` whose `message` (e.g. '<recv response="200"/>') checks the SDP in it
    names the MG's media address and an mg-sim RTP port (16000 up), else SIPp fails the call."""
    with open(scenario(name)) as f:
        text = f.read()
    tag = message[:-2]
    checked = (tag + '><action><ereg regexp="c=IN IP4 %s" search_in="body" check_it="true" assign_to="mgsdp"/>'
               '<ereg regexp="m=audio 1[6-9][0-9][0-9][0-9] " search_in="body" check_it="true" assign_to="mgsdp"/>'
               '</action>' + tag.split()[0].replace("<", "</") + ">") % re.escape(MEDIA).replace("\\", "\\")
    assert message in text
    out = os.path.join(tmp, "mg-" + name)
    with open(out, "w") as f:
        f.write(text.replace(message, checked, 1))
    return out


try:
    ready = re.search(r"mg-sim ready address=\S+ port=(\d+)", sim.stdout.readline())
    c.check("mg-sim listens for MGCP", ready is not None)
    m = re.search(r"mg-sim iua address=\S+ port=(\d+)", sim.stdout.readline())
    c.check("mg-sim listens for IUA", m is not None)
    relay = IuaRelay(ADDR, int(m.group(1)))  # isupgw -> relay -> mg-sim: the daemon's IUA for tshark
    peer = PriPeer(path, "--side", "user", "--switchtype", "euroisdn", "--overlap")
    c.check("libpri's D channel up on mg-sim's LAPD", peer.wait("DCHAN", "UP") is not None, peer.lines)
    gw = Daemon("""management: {vty: {address: %s, port: 0}}
media_gateways:
  - {name: mg1, address: {address: %s, port: %d}, local: {address: %s}}
logging: {level: info}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: 0}]
  trunks: [{name: ovl, address: %s, allowed_sources: ["%s/32"], overlap: true},
           {name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]},
           {name: callee, address: 127.0.0.1, port: %d}]
pri_spans:
  - name: pbx
    iua: {transport: tcp, remote: {address: %s, port: %d}}
    interface_id: 1
    channels: ["1-15", "17-31"]
    media_gateway: mg1
    endpoints: "ds/e1-{span}/{timeslot}@mg1"
routes:
  - {prefix: "", from: ovl, targets: [{pri_span: pbx}]}
  - {prefix: "", from: local, targets: [{pri_span: pbx}]}
  - {prefix: "", from: pbx, targets: [{sip_trunk: callee}]}
""" % (ADDR, ADDR, int(ready.group(1)) if ready else 9, ADDR, MEDIA, MEDIA, UAS_PORT, ADDR, relay.port))
    sport = sip_port(gw)
    vl = gw.wait_for(r"core vty_listening address=\S+ port=(\d+)")
    vty = Vty(int(re.search(r"port=(\d+)", vl).group(1)), host=ADDR)

    def gw_idle(timeout=5.0):
        """Our view (VTY show pri-spans): the span up, no B channel busy, no call; polled until so."""
        deadline = time.monotonic() + timeout
        while True:
            out = "\n".join(vty.cmd("show pri-spans"))
            if "data link up, restart null, 30 B channels, 0 busy, 0 calls" in out or time.monotonic() > deadline:
                return out
            time.sleep(0.05)

    def both_idle(name):
        c.check(f"{name}: no B channel busy in libpri's view", peer.idle() is not None, peer.lines[-4:])
        out = gw_idle()
        c.check(f"{name}: no B channel busy in ours (show pri-spans)", "30 B channels, 0 busy, 0 calls" in out, out)
        left = wait_until(lambda: mg_conns() == [], 5)
        c.check(f"{name}: no connection left on the MG (mg-sim conns)", left is not None, mg_conns())

    def mg_holds(name, channel):
        """The MG's view of an answered call: one connection, sendrecv, on the B channel's endpoint."""
        want = [("ds/e1-0/%s@mg1" % channel, "sendrecv")]
        got = wait_until(lambda: mg_conns() == want, 5)
        c.check(f"{name}: the MG holds one sendrecv connection on ds/e1-0/{channel}@mg1 (mg-sim conns)",
                got is not None, mg_conns())
    c.check("the gateway restarts the interface once the span is up: libpri's PRI_EVENT_RESTART (all)",
            peer.wait("RESTART", "channel=all", timeout=15) is not None, peer.lines[-5:] + gw.lines[-5:])

    def sip_to_pri(name, scen, pbx_steps, expect_hangup=None):
        """SIPp calls 5551000 through the span; libpri takes the RING and plays `pbx_steps`
        (pri-peer commands, {call} replaced); returns the HANGUP line libpri reported, if any."""
        mark = len(peer.lines)
        t = in_thread(lambda: uac(scen, sport, service="5551000"))
        ring = peer.wait("RING", "called=5551000", timeout=15)
        c.check(f"SIP->PRI {name}: libpri's RING for 5551000", ring is not None, peer.lines[mark:] + gw.lines[-5:])
        hangup = None
        if ring:
            call = PriPeer.field(ring, "call")
            for step in pbx_steps:
                if step == "@mg":  # the MG's view while the call is up (libpri answered: sendrecv)
                    mg_holds(f"SIP->PRI {name}", PriPeer.field(ring, "channel"))
                    continue
                peer.send(step.format(call=call))
            if expect_hangup:
                hangup = peer.wait("HANGUP", "call=" + call, timeout=15)
                c.check(f"SIP->PRI {name}: libpri's HANGUP {expect_hangup}",
                        hangup is not None and (expect_hangup == "any" or expect_hangup in hangup.split()),
                        peer.lines[mark:])
        rc, err = sipp_result(t)
        c.check(f"SIP->PRI {name}: SIPp passes", rc == 0, err[-400:])
        both_idle(f"SIP->PRI {name}")

    sip_to_pri("answered, SIP caller releases", "sn:uac", ["alert call={call}", "answer call={call}"], "cause=16")
    sip_to_pri("answered, libpri releases (SIPp: the MG's SDP in the 200)",
               with_mg_sdp("uac_wait_bye.xml", '<recv response="200"/>'),
               ["alert call={call}", "answer call={call}", "@mg", "hangup 16 call={call}"])
    sip_to_pri("busy (17 -> 486)", scenario("uac_expect.xml", 486), ["busy call={call}"])
    sip_to_pri("unallocated (1 -> 404)", scenario("uac_expect.xml", 404), ["reject 1 call={call}"])
    sip_to_pri("no answer (ALERTING, 19 -> 480)", scenario("uac_expect.xml", 480),
               ["alert call={call}", "reject 19 call={call}"])
    sip_to_pri("CANCEL while libpri alerts", scenario("uac_cancel.xml"), ["alert call={call}"], "any")

    def pri_to_sip(name, scen, command, peer_events, hangup_after=None):
        """libpri calls 5552000 (`command`); SIPp plays `scen`; the events libpri must report in order."""
        u = uas(scen, UAS_PORT)
        mark = len(peer.lines)
        peer.send(command)
        out = peer.wait("CALLING", timeout=5)
        call = PriPeer.field(out, "call")
        for ev in peer_events:
            words = ev.split()
            line = peer.wait(words[0], "call=%s" % call, *words[1:], timeout=15)
            c.check(f"PRI->SIP {name}: libpri's {ev}", line is not None, peer.lines[mark:] + gw.lines[-5:])
            if words[0] == hangup_after:
                if line is not None and words[0] == "ANSWER":  # the MG's view while the call is up
                    mg_holds(f"PRI->SIP {name}", PriPeer.field(line, "channel"))
                peer.send("hangup 16 call=%s" % call)
        c.check(f"PRI->SIP {name}: SIPp passes", wait_uas(u) == 0)
        both_idle(f"PRI->SIP {name}")

    pri_to_sip("answered, libpri releases (SIPp: the MG's SDP in the INVITE)",
               with_mg_sdp("uas_wait_bye.xml", '<recv request="INVITE"/>'), "call 5552000 calling=30123456",
               ["ANSWER"], hangup_after="ANSWER")
    pri_to_sip("answered, SIP callee releases", scenario("uas_bye.xml"), "call 5552000 calling=30123456",
               ["ANSWER", "HANGUP cause=16"])
    pri_to_sip("busy (486 -> 17)", scenario("uas_486.xml"), "call 5552000", ["HANGUP cause=17"])
    pri_to_sip("unallocated (404 -> 1)", scenario("uas_reject.xml", 404), "call 5552000", ["HANGUP cause=1"])
    pri_to_sip("libpri abandons while SIPp rings (CANCEL)", scenario("uas_cancel.xml"), "call 5552000",
               ["RINGING"], hangup_after="RINGING")
    # Overlap dialling from libpri (Q.931 5.1.3): SETUP with 555 and no Sending complete, the rest in
    # INFORMATION once the gateway has acknowledged the SETUP; SIPp answers 5552000; libpri releases.
    u = uas(scenario("uas_wait_bye.xml"), UAS_PORT)
    mark = len(peer.lines)
    peer.send("call 555 overlap")
    call = PriPeer.field(peer.wait("CALLING", timeout=5), "call")
    sa = peer.wait("SETUP_ACK", "call=%s" % call, timeout=10)
    c.check("overlap from libpri: the gateway's SETUP ACKNOWLEDGE", sa is not None, peer.lines[mark:] + gw.lines[-5:])
    peer.send("info 2000 call=%s" % call)
    c.check("overlap from libpri: answered once the number is complete (SIPp's 200 for 5552000)",
            peer.wait("ANSWER", "call=%s" % call, timeout=15) is not None, peer.lines[mark:] + gw.lines[-5:])
    peer.send("hangup 16 call=%s" % call)
    c.check("overlap from libpri: SIPp passes (the BYE after libpri's DISCONNECT)", wait_uas(u) == 0)
    both_idle("overlap from libpri")

    # Overlap sending towards libpri (Q.931 5.2.4 from the network; RFC 3578): SIPp on the `overlap: true`
    # trunk (from 127.0.0.102) sends INVITE 5551, then INVITE 5551123 of the same call. libpri's RING has
    # complete=0 (no Sending complete); it acknowledges (SETUP ACKNOWLEDGE) and gets the rest in INFORMATION
    # (its PRI_EVENT_INFO_RECEIVED: digits=123, called=5551123); SIPp gets 484 for the first INVITE and the
    # call goes on with the second: libpri answers, SIPp's BYE reaches libpri as cause 16.
    mark = len(peer.lines)
    t = in_thread(lambda: (lambda r: (r.returncode, r.stderr))(subprocess.run(
        [SIPP, "-sf", scenario("uac_overlap.xml"), "-i", MEDIA, "-p", str(free_port()), "-s", "5551", "-m", "1",
         "-nostdin", "-timeout", "25", "-timeout_error", "127.0.0.1:%d" % sport],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp, timeout=60)))
    ring = peer.wait("RING", "called=5551", "complete=0", timeout=15)
    c.check("overlap to libpri: its RING for 5551 without Sending complete (complete=0)", ring is not None,
            peer.lines[mark:] + gw.lines[-5:])
    if ring:
        call = PriPeer.field(ring, "call")
        peer.send("more call=%s" % call)
        info = peer.wait("INFO", "call=" + call, "called=5551123", timeout=15)
        c.check("overlap to libpri: the rest in INFORMATION after its SETUP ACKNOWLEDGE (INFO digits=123, "
                "called=5551123)", info is not None and "digits=123" in info.split(), peer.lines[mark:] + gw.lines[-5:])
        peer.send("alert call=%s" % call)
        peer.send("answer call=%s" % call)
        hangup = peer.wait("HANGUP", "call=" + call, timeout=15)
        c.check("overlap to libpri: SIPp's BYE reaches libpri as cause 16", hangup is not None and
                "cause=16" in hangup.split(), peer.lines[mark:])
    rc, err = sipp_result(t)
    c.check("overlap to libpri: SIPp passes (484 for the first INVITE, 200 for the second)", rc == 0, err[-400:])
    both_idle("overlap to libpri")

    # A short load each way (scripts/bench-pri: 1,000): SIPp's counts and libpri's, then both views idle.
    n, rate = 40, 20
    peer.send("auto answer ring-delay=0")
    peer.wait("AUTO", timeout=5)
    r = subprocess.run([SIPP, "-sn", "uac", "-i", "127.0.0.1", "-p", str(free_port()), "-s", "5551000", "-r",
                        str(rate), "-m", str(n), "-d", "200", "-nostdin", "-timeout", "30", "-timeout_error",
                        "127.0.0.1:%d" % sport], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       cwd=tmp, timeout=60)
    c.check(f"load SIP->PRI: {n} calls at {rate}/s, SIPp passes every one (libpri answering)", r.returncode == 0,
            r.stderr[-400:])
    peer.send("auto off")
    peer.wait("AUTO", timeout=5)
    both_idle("load SIP->PRI")
    u = uas("sn:uas", UAS_PORT, calls=n)
    peer.send("load %d 5552000 rate=%d hold=200" % (n, rate))
    done = peer.wait("LOAD", "done", timeout=30)
    c.check(f"load PRI->SIP: libpri's {n} calls at {rate}/s all answered", done is not None and
            ("answered=%d" % n) in done.split() and "failed=0" in done.split(),
            [ln for ln in peer.lines if ln.startswith("LOAD")] + [ln for ln in gw.lines if "warn" in ln][-10:])
    c.check("load PRI->SIP: SIPp UAS passes", wait_uas(u) == 0)
    both_idle("load PRI->SIP")

    mark = len(peer.lines)
    peer.send("restart")
    c.check("libpri restarts every B channel, each acknowledged by the gateway (Q.931 5.5.2)",
            peer.wait("RESTARTED", timeout=20) is not None and
            sum(1 for ln in peer.lines[mark:] if ln.startswith("RESTART_ACK")) == 30, peer.lines[mark:][-5:])
    both_idle("after libpri's RESTART")
    vty.close()
    rc, _ = gw.stop()
    c.check("isupgw stops cleanly", rc == 0, gw.lines[-10:])
    decoded = tshark_rows(list(relay.messages), tmp, ("iua.message_class", "iua.message_type", "q931.message_type"))
    if decoded is None:
        print("SKIP tshark part: text2pcap/tshark not installed")
    else:
        rows, text = decoded
        c.check("tshark reads every IUA message between isupgw and mg-sim (%d)" % len(relay.messages),
                len(rows) == len(relay.messages) and all(r[0] for r in rows), text[-2000:])
        c.check("nothing malformed in the IUA and Q.931 both ways", all(not r[3] and not r[4] for r in rows),
                text[-2000:])
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

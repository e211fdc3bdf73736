"""Runs inside the VM (kernel SCTP): IUA (RFC 4233) over real SCTP, PPID 1. isupgw's PRI span is the IUA
ASP (`iua: {transport: sctp}`) towards mg-sim's SG end listening on SCTP (`--iua-transport sctp`);
libpri (tools/pri-peer, user side, EuroISDN E1) is the PBX on mg-sim's LAPD socket, as in
tests/integration/test_pri_call_libpri.py; SIPp is the SIP side.

Rows: libpri's D channel up; the gateway's RESTART of the interface (Q.931 5.5, class 7) taken by libpri;
SIP -> PRI answered by libpri and released by the SIP caller; PRI -> SIP answered by SIPp and released by
libpri; libpri's RESTART of every B channel, each acknowledged by the gateway.

Verdicts come from outside isupgw: libpri's events and its call-record count (pri-peer `status`), SIPp's
exit codes, and a capture on lo in the VM (dumpcap) decoded by tshark on the host after the VM run
(`--host-check`): the association is SCTP with PPID 1, tshark reads IUA in every DATA chunk with nothing
malformed, the ASPUP/ASPAC exchange, and the Q.931 of both calls and of the restarts went over it.
usage: guest_isupgw_iua.py ISUPGW_BIN | guest_isupgw_iua.py --host-check RESULTS_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "integration")))  # harness.SRC from its path
if sys.argv[1] != "--host-check":
    os.environ["ISUPGW_BIN"] = sys.argv[1]
from harness import Capture, Checks, Daemon, wait_port  # noqa: E402

IUA_PORT = 9900  # IANA's IUA port (RFC 4233 1.4.5)
Q931 = {0x05: "SETUP", 0x07: "CONNECT", 0x45: "DISCONNECT", 0x4d: "RELEASE", 0x5a: "RELEASE COMPLETE",
        0x46: "RESTART", 0x4e: "RESTART ACKNOWLEDGE"}


def guest():
    from calltest import free_port, scenario, sip_port, uac, uas, wait_uas
    from mgsim import SIM
    from pripeer import PRI_PEER, PriPeer, stop_mg_sim

    c = Checks()
    results = os.environ.get("VM_RESULTS")
    c.check("results folder on the share", bool(results) and os.path.isdir(results), results)
    for tool in (SIM, PRI_PEER):
        if not os.access(tool, os.X_OK):
            c.check(os.path.basename(tool) + " built (pri-peer needs libpri-dev)", False)
            c.finish()
    work = "/dev/shm/iua-vm"  # the VM's tmpfs: 9p writes are slow under TCG
    os.makedirs(work, exist_ok=True)
    pcap = os.path.join(work, "iua.pcap")
    cap = Capture(pcap, "sctp or udp port 9", ("127.0.0.1", 9), timeout=60)
    c.check("dumpcap captures lo in the VM", cap.started)
    lapd = os.path.join(work, "d1.sock")
    sim = subprocess.Popen([SIM, "--bind", "127.0.0.1", "--port", "0", "--iua", "127.0.0.1:%d" % IUA_PORT,
                            "--iua-transport", "sctp", "--lapd", "1=" + lapd], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    peer = gw = None
    uas_port = free_port()
    try:
        sim.stdout.readline()
        c.check("mg-sim listens for IUA on SCTP", re.search(r"mg-sim iua address=\S+ port=%d" % IUA_PORT,
                                                              sim.stdout.readline() or "") is not None)
        peer = PriPeer(lapd, "--side", "user", "--switchtype", "euroisdn")
        c.check("libpri's D channel up on mg-sim's LAPD", peer.wait("DCHAN", "UP", timeout=30) is not None,
                peer.lines)
        gw = Daemon("""logging: {level: info}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: 0}]
  trunks: [{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]},
           {name: callee, address: 127.0.0.1, port: %d}]
pri_spans:
  - name: pbx
    iua: {transport: sctp, remote: {address: 127.0.0.1, port: %d}}
    interface_id: 1
    channels: ["1-15", "17-31"]
routes:
  - {prefix: "", from: local, targets: [{pri_span: pbx}]}
  - {prefix: "", from: pbx, targets: [{sip_trunk: callee}]}
""" % (uas_port, IUA_PORT))
        sport = sip_port(gw)
        c.check("isupgw: the span's SCTP association up", gw.wait_for(r"sctp_connected", 60) is not None,
                gw.lines[-10:])
        c.check("the gateway restarts the interface once the span is up: libpri's PRI_EVENT_RESTART (all)",
                peer.wait("RESTART", "channel=all", timeout=60) is not None, peer.lines[-5:] + gw.lines[-5:])
        c.check("every B channel idle in libpri's view after the gateway's restart", peer.idle(30) is not None,
                peer.lines[-4:])

        # SIP -> PRI: SIPp calls 5551000; libpri alerts and answers; SIPp hangs up (libpri: cause 16).
        result = {}
        t = threading.Thread(target=lambda: result.update(r=uac("sn:uac", sport, service="5551000")))
        t.start()
        ring = peer.wait("RING", "called=5551000", timeout=30)
        c.check("SIP->PRI: libpri's RING for 5551000", ring is not None, peer.lines[-5:] + gw.lines[-5:])
        if ring:
            call = PriPeer.field(ring, "call")
            peer.send("alert call=%s" % call)
            peer.send("answer call=%s" % call)
            c.check("SIP->PRI: libpri's HANGUP cause 16 after SIPp's BYE",
                    peer.wait("HANGUP", "call=" + call, "cause=16", timeout=30) is not None, peer.lines[-5:])
        t.join(90)
        rc, err = result.get("r", (1, "no run"))
        c.check("SIP->PRI: SIPp passes (answered, BYE answered)", rc == 0, err[-400:])
        c.check("SIP->PRI: no B channel busy in libpri's view after", peer.idle(30) is not None, peer.lines[-4:])

        # PRI -> SIP: libpri calls 5552000; SIPp answers; libpri hangs up.
        u = uas(scenario("uas_wait_bye.xml"), uas_port)
        c.check("PRI->SIP: SIPp's UAS listens", wait_port(uas_port, timeout=30) and u.poll() is None,
                u.stderr.read()[-400:] if u.poll() is not None else "")
        peer.send("call 5552000 calling=30123456")
        call = PriPeer.field(peer.wait("CALLING", timeout=10), "call")
        c.check("PRI->SIP: libpri's ANSWER (SIPp's 200)",
                peer.wait("ANSWER", "call=%s" % call, timeout=30) is not None, peer.lines[-5:] + gw.lines[-5:])
        peer.send("hangup 16 call=%s" % call)
        c.check("PRI->SIP: SIPp passes (the BYE after libpri's DISCONNECT)", wait_uas(u, 60) == 0)
        c.check("PRI->SIP: no B channel busy in libpri's view after", peer.idle(30) is not None, peer.lines[-4:])

        peer.send("restart")
        done = peer.wait("RESTARTED", timeout=60)
        acked = sum(1 for ln in peer.lines if ln.startswith("RESTART_ACK"))
        c.check("libpri restarts every B channel, each acknowledged by the gateway (Q.931 5.5.2)",
                done is not None and acked == 30, peer.lines[-5:])
        rc, _ = gw.stop(15)
        c.check("isupgw stops cleanly", rc == 0, gw.lines[-10:])
    finally:
        if peer:
            peer.stop()
        if gw is not None:
            gw.cleanup()
        stop_mg_sim(sim)
        c.check("capture complete", cap.stop(30))
        if results and os.path.isdir(results):
            shutil.copy(pcap, results)
            with open(os.path.join(results, "logs.json"), "w") as f:
                json.dump({"gw": gw.lines if gw else [], "peer": peer.lines if peer else []}, f)
            check = os.path.join(results, "host-check")
            with open(check, "w") as f:
                f.write('#!/bin/sh\nexec python3 %s --host-check "$(dirname "$0")"\n' % os.path.abspath(__file__))
            os.chmod(check, 0o755)
    c.finish()


def host_check(results):
    """tshark on the host reads the capture taken in the VM: one row per SCTP packet carrying DATA."""
    c = Checks()
    fields = ["sctp.srcport", "sctp.dstport", "sctp.data_payload_proto_id", "iua.message_class", "iua.message_type",
              "q931.message_type", "_ws.malformed", "_ws.expert.severity"]
    argv = ["tshark", "-n", "-r", os.path.join(results, "iua.pcap"), "-o", "iua.use_gsm_sapi_values:FALSE",
            "-Y", "sctp.data_payload_proto_id", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        argv += ["-e", f]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    c.check("tshark reads the capture", r.returncode == 0, r.stderr[-500:])
    rows = [dict(zip(fields, ln.split("\t"))) for ln in r.stdout.splitlines()]
    ppids = [p for row in rows for p in row["sctp.data_payload_proto_id"].split(",") if p]
    classes = [x for row in rows for x in row["iua.message_class"].split(",") if x]
    print(f"{len(rows)} SCTP packets with DATA, {len(ppids)} DATA chunks, {len(classes)} IUA messages")
    c.check("every DATA chunk carries PPID 1 (IUA) and tshark reads IUA in each", len(ppids) > 60 and
            set(ppids) == {"1"} and len(classes) == len(ppids), (len(ppids), set(ppids), len(classes)))
    bad = [row for row in rows if row["_ws.malformed"] or "error" in row["_ws.expert.severity"].lower() or
           row["_ws.expert.severity"] in ("8388608",)]
    c.check("nothing malformed in the IUA and Q.931 both ways", not bad, bad[:5])

    def msgs(sport=None, dport=None):
        """(IUA class/type pairs, Q.931 message names) of the packets from `sport` / to `dport`."""
        iua, q = [], []
        for row in rows:
            if (sport and row["sctp.srcport"] != str(sport)) or (dport and row["sctp.dstport"] != str(dport)):
                continue
            iua += list(zip(row["iua.message_class"].split(","), row["iua.message_type"].split(",")))
            q += [Q931.get(int(x, 0), x) for x in row["q931.message_type"].split(",") if x]
        return iua, q

    to_sg, from_sg = msgs(dport=IUA_PORT), msgs(sport=IUA_PORT)
    norm = lambda pairs: {(int(a, 0), int(b, 0)) for a, b in pairs if a and b}  # noqa: E731
    c.check("tshark: the ASP's ASPUP and ASPAC to the SG, the SG's ASPUP ACK and ASPAC ACK back (RFC 4233 4.3)",
            {(3, 1), (4, 1)} <= norm(to_sg[0]) and {(3, 4), (4, 3)} <= norm(from_sg[0]), (to_sg[0], from_sg[0]))
    c.check("tshark: the SG's Establish Indication or Confirm: the D channel's data link up (RFC 4233 3.3.1)",
            bool(norm(from_sg[0]) & {(5, 6), (5, 7)}), from_sg[0])
    for name, mine, theirs in (("SIP->PRI", to_sg[1], from_sg[1]), ("PRI->SIP", from_sg[1], to_sg[1])):
        c.check(f"tshark: the {name} call's SETUP from its caller's side and CONNECT back",
                "SETUP" in mine and "CONNECT" in theirs, (mine, theirs))
    c.check("tshark: the gateway's RESTART and libpri's RESTART ACKNOWLEDGE; libpri's 30 RESTARTs acknowledged",
            to_sg[1].count("RESTART") >= 1 and from_sg[1].count("RESTART ACKNOWLEDGE") >= 1 and
            from_sg[1].count("RESTART") >= 30 and to_sg[1].count("RESTART ACKNOWLEDGE") >= 30,
            (to_sg[1].count("RESTART"), from_sg[1].count("RESTART")))
    c.check("tshark: both calls cleared (DISCONNECT / RELEASE / RELEASE COMPLETE each way)",
            all(x in to_sg[1] + from_sg[1] for x in ("DISCONNECT", "RELEASE", "RELEASE COMPLETE")), to_sg[1])
    c.check("tshark: the ASP's ASPDN when the gateway stopped (RFC 4233 4.3.4.2)", (3, 2) in norm(to_sg[0]),
            to_sg[0][-5:])
    c.finish()


if __name__ == "__main__":
    if sys.argv[1] == "--host-check":
        host_check(sys.argv[2])
    else:
        guest()

"""Runs inside the VM (kernel SCTP): a SIP -> ISUP -> SIP tandem whose two
isupgw nodes are joined by an SS7 link set of two M2PA links (RFC 4165: SCTP
PPID 5, Link Status on stream 0, User Data on stream 1). Link 1 passes through
m2pa_relay.py so it can fail alone.
  SIPp UAC -> node A (SIP -> ISUP) -> M2PA link set -> node B (ISUP -> SIP) -> SIPp UAS
  1. both links align and pass SLTM/SLTA; TRA; MTP-RESUME; circuit resets;
  2. SIPp calls at RATE calls/s for CALLS calls; ISUP goes by SLS (CIC mod 16) over
     both links (Q.704 4.2);
  3. a few seconds in, link 1 fails mid-traffic: the relay first blackholes it
     (what either end sends stays unacknowledged), then dies (SCTP ABORT). Both
     nodes change over (XCO/XCA, Q.704 5 + Q.2210) and retrieve the unacknowledged
     messages from the M2PA retransmission buffer onto link 0 (Q.704 5.4);
  4. link 1 is restored: realignment, test, changeback (CBD/CBA, Q.704 6);
  5. every SIPp call succeeded; both links carried MSUs; retrieval counted; every
     circuit idle at the end; no PPID, decode or sequence error;
  6. on the wire (dumpcap on lo in the VM, decoded by tshark on the host after the VM
     run, `--host-check`): every ISUP message one node sent reached the other exactly
     once (per CIC and message type, over link 0 or the relay's side of link 1), and
     what each node logged as received is what the wire delivered to it.
usage: guest_isupgw_m2pa.py ISUPGW_BIN | guest_isupgw_m2pa.py --host-check RESULTS_DIR"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
if sys.argv[1] != "--host-check":
    os.environ["ISUPGW_BIN"] = sys.argv[1]
from harness import Capture, Checks, wait_port, wait_until  # noqa: E402
import wire  # noqa: E402
from guest_tandem import Node, check_each_delivered_once, counter, isup, sipp, sipp_stats  # noqa: E402

RATE, CALLS, HOLD_MS = 25, 400, 500  # ~16 s of traffic
# The scenario's own timing (the point of the test, not waits for events): link 1 fails 4 s into the traffic,
# silently for 0.8 s (longer than nothing; shorter than T7), and is restored 4 s after the changeover.
KILL_AFTER_S, BLACKHOLE_S, RESTORE_AFTER_S = 4.0, 0.8, 4.0
# M2PA ports: A listens on 3565 (link 0) and 3566 (link 1); the relay listens on 3567 for B and connects to A:3566.
A_LINK0, A_LINK1, RELAY = 3565, 3566, 3567
A_SIP, B_SIP, UAC_PORT, UAS_PORT = 5060, 5090, 5070, 5080

LINKSET = """
  linksets:
    - name: %s
      local_pc: %s
      adjacent_pc: %s
      proving_ms: 500%s
      links:
        - {slc: 0, transport: sctp, %s: {address: 127.0.0.1, port: 3565}}
        - {slc: 1, transport: sctp, %s: {address: 127.0.0.1, port: %d}}"""
A = """
node: {name: gw-a}
logging: {level: info, subsystems: {isup: debug}}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: %d}]
  trunks: [{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}]
ss7:
  point_code_format: itu%s
  trunk_groups: [{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-160"]}]
routes:
  - {prefix: "", from: callers, targets: [{trunk_group: a-b}]}
""" % (A_SIP, LINKSET % ("ls-b", "0-0-1", "0-0-2", "", "local", "local", 3566))
B = """
node: {name: gw-b}
logging: {level: info, subsystems: {isup: debug}}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: %d}]
  trunks: [{name: callee, address: 127.0.0.1, port: %d}]
ss7:
  point_code_format: itu%s
  trunk_groups: [{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-160"]}]
routes:
  - {prefix: "", from: b-a, targets: [{sip_trunk: callee}]}
""" % (B_SIP, UAS_PORT, LINKSET % ("ls-a", "0-0-2", "0-0-1", "\n      mtp_restart: adjacent", "remote", "remote", 3567))


def relay():
    return subprocess.Popen([sys.executable, os.path.join(HERE, "m2pa_relay.py"), "3567", "3566"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sctp_listening(port):
    with open("/proc/net/sctp/eps") as f:
        return any(line.split()[5] == str(port) for line in list(f)[1:] if len(line.split()) > 5)


def host_check(results):
    """tshark on the host reads the capture taken in the VM."""
    c = Checks()
    with open(os.path.join(results, "logs.json")) as f:
        logs = json.load(f)
    chunks = wire.chunks(os.path.join(results, "m2pa.pcap"))
    print(f"{len(chunks)} SCTP DATA chunks captured in the VM, {len(wire.unique(chunks))} after retransmissions")
    # Delivered to B: A's side of link 0, the relay's side of link 1; to A: link 0 and the relay's connection to A.
    to_b = wire.isup_between(chunks, sport=A_LINK0) + wire.isup_between(chunks, sport=RELAY)
    to_a = wire.isup_between(chunks, dport=A_LINK0) + wire.isup_between(chunks, dport=A_LINK1)
    swallowed = wire.isup_between(chunks, sport=A_LINK1) - wire.isup_between(chunks, sport=RELAY)
    print(f"ISUP messages A put on link 1 that the blackhole swallowed (to be retrieved): {sum(swallowed.values())}")
    check_each_delivered_once(c, logs, to_b, to_a, 2 * CALLS)
    c.finish()


if sys.argv[1] == "--host-check":
    host_check(sys.argv[2])

c = Checks()
t_start = time.monotonic()
results = os.environ.get("VM_RESULTS")
c.check("results folder on the share", bool(results) and os.path.isdir(results), results)
# Logs and the capture on the VM's own tmpfs (/dev/shm): the 9p share would slow every write under TCG.
# Copied to the share (/tmp, the host's) after a failure.
logs = tempfile.mkdtemp(prefix="m2pa-vm-", dir="/dev/shm")
cap = Capture(os.path.join(logs, "m2pa.pcap"), "sctp or udp port 9", ("127.0.0.1", 9), timeout=60)
c.check("dumpcap captures lo in the VM", cap.started)
a = Node("A", A, logs)
r = relay()
c.check("relay listens for B on link 1", wait_until(lambda: sctp_listening(RELAY), 30) is not None)
b = Node("B", B, logs)
uas = uac = None
try:
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        for slc in (0, 1):
            c.check(f"{name}: M2PA link {ls}/{slc} in service over SCTP",
                    d.wait_for(r"m2pa_link_in_service link=%s/%d" % (ls, slc), 90) is not None, d.lines[-15:])
            c.check(f"{name}: SLTA on SLC {slc}", d.wait_for(r"mtp3_rx_mgmt linkset=%s slc=%d message=SLTA" % (ls, slc),
                                                            60) is not None)
    for name, d, dpc, grp in (("A", a, 2, "a-b"), ("B", b, 1, "b-a")):
        c.check(f"{name}: MTP-RESUME for the adjacent SP", d.wait_for(r"isup mtp.resume dpc=%d" % dpc, 60) is not None)
    # Circuit group resets of 160 circuits (GRS 1-32 ... 129-160), paced: wait until the last is acknowledged.
    for name, d in (("A", a), ("B", b)):
        c.check(f"{name}: circuits reset", d.wait_for(r"group=\S+ cic=129 from=await_gra event=GRA", 60) is not None,
                d.lines[-15:])

    uas_out, uac_out = os.path.join(logs, "uas.txt"), os.path.join(logs, "uac.txt")
    with open(uas_out, "w") as fo:
        uas = sipp(["-sn", "uas", "-trace_err", "-error_file", os.path.join(logs, "uas-errors.txt"), "-p",
                    str(UAS_PORT)], fo)
    c.check("SIPp UAS bound its port", wait_port(UAS_PORT, "udp", 30))
    with open(uac_out, "w") as fo:
        uac = sipp(["-sn", "uac", "-trace_err", "-error_file", os.path.join(logs, "uac-errors.txt"), "-s", "4930123456", "-p", str(UAC_PORT), "-r", str(RATE), "-m", str(CALLS), "-d",
                    str(HOLD_MS), "127.0.0.1:%d" % A_SIP], fo)
    t_traffic = time.monotonic()
    time.sleep(KILL_AFTER_S)
    # Link 1 fails mid-traffic: first silently (nothing acknowledged), then its associations abort.
    r.send_signal(signal.SIGUSR1)
    time.sleep(BLACKHOLE_S)
    r.send_signal(signal.SIGKILL)
    r.wait()
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        c.check(f"{name}: link 1 unavailable",
                d.wait_for(r"mtp3_link_unavailable linkset=%s slc=1" % ls, 30) is not None, d.lines[-15:])
        c.check(f"{name}: changeover of link 1 done",
                d.wait_for(r"mtp3_changeover_done linkset=%s slc=1" % ls, 30) is not None, d.lines[-15:])
    time.sleep(RESTORE_AFTER_S)
    n_a, n_b = len(a.lines), len(b.lines)
    r = relay()
    for name, d, ls, n in (("A", a, "ls-b", n_a), ("B", b, "ls-a", n_b)):
        c.check(f"{name}: link 1 available again",
                d.wait_for(r"mtp3_link_available linkset=%s slc=1" % ls, 60, start=n) is not None, d.lines[-15:])
        c.check(f"{name}: changeback of link 1 done",
                d.wait_for(r"mtp3_changeback_done linkset=%s slc=1" % ls, 30, start=n) is not None, d.lines[-15:])
    t_restored = time.monotonic() - t_traffic
    try:
        uac_rc = uac.wait(120)
    except subprocess.TimeoutExpired:
        uac.kill()
        uac_rc = None
    uas.send_signal(signal.SIGUSR1)  # SIPp: dump the screen and quit
    try:
        uas.wait(10)
    except subprocess.TimeoutExpired:
        uas.kill()
    stats = sipp_stats(uac_out)
    print(f"SIPp UAC: rc {uac_rc}, {stats}, link 1 restored {t_restored:.1f} s after traffic started")
    c.check(f"SIPp UAC: all {CALLS} calls successful, 0 failed",
            uac_rc == 0 and stats["Successful call"] == CALLS and stats["Failed call"] == 0,
            (uac_rc, stats, open(uac_out, errors="replace").read()[-1500:]))
    # The last releases complete (REL/RLC): wait until each node has received what the other sent.
    def settled():
        a.refresh()
        b.refresh()
        return isup(a, "tx") == isup(b, "rx") and isup(b, "tx") == isup(a, "rx")

    c.check("the last ISUP messages delivered before the nodes stop", wait_until(settled, 30, 0.5) is not None)
    for name, d in (("A", a), ("B", b)):
        rc, took = d.stop(15)
        c.check(f"{name}: stops cleanly", rc == 0, (rc, took))
        idle = [l for l in d.lines if " isup circuits " in l]
        c.check(f"{name}: every circuit idle at stop", idle and all(" busy=0" in l for l in idle), idle)
    # Every ISUP message exactly once: judged on the wire by the host check.
    retrieved_total = 0
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        per_link = [counter(d, "m2pa.link.%s/%d.tx_msu" % (ls, slc)) for slc in (0, 1)]
        c.check(f"{name}: both links carried MSUs", min(per_link) > 0, per_link)
        retrieved = counter(d, "mtp3.linkset.%s.retrieved" % ls)
        discarded = counter(d, "mtp3.linkset.%s.discarded" % ls)
        changeovers = counter(d, "mtp3.linkset.%s.changeovers" % ls)
        changebacks = counter(d, "mtp3.linkset.%s.changebacks" % ls)
        retrieved_total += retrieved
        print(f"{name}: per-link tx_msu {per_link}, changeovers {changeovers}, changebacks {changebacks}, "
              f"mtp3.linkset.{ls}.retrieved {retrieved}, discarded {discarded}")
        for l in d.lines:
            if re.search(r"mtp3_(changeover|changeback|link_un)|discard|mtp3_tx_mgmt.*message=(XCO|XCA|ECO|ECA|CBD)", l):
                print("  " + l)
    c.check("retrieval happened: unacknowledged messages of link 1 resent on link 0", retrieved_total > 0,
            retrieved_total)
    bad = [l for l in a.lines + b.lines
           if re.search(r"counter name=\S*(decode_errors|bad_ppid|out_of_sequence|duplicates)\S* value=[1-9]", l)]
    c.check("no PPID, decode or sequence errors counted", not bad, bad)
    print(f"scenario took {time.monotonic() - t_start:.1f} s in the VM")
finally:
    for p in (uac, uas):
        if p and p.poll() is None:
            p.kill()
    for d in (a, b):
        d.cleanup()
    if r.poll() is None:
        r.kill()
    c.check("capture complete", cap.stop(30))
    if results and os.path.isdir(results):
        shutil.copy(cap.path, results)
        with open(os.path.join(results, "logs.json"), "w") as f:
            json.dump({"A": a.lines, "B": b.lines}, f)
        check = os.path.join(results, "host-check")
        with open(check, "w") as f:
            f.write('#!/bin/sh\nexec python3 %s --host-check "$(dirname "$0")"\n' % os.path.abspath(__file__))
        os.chmod(check, 0o755)
    if c.failed:
        kept = shutil.copytree(logs, tempfile.mkdtemp(prefix="m2pa-vm-logs-", dir="/tmp"), dirs_exist_ok=True)
        print(f"logs (daemons, SIPp) in {kept}")
c.finish()

"""Runs inside the VM (kernel SCTP): two isupgw nodes joined by an SS7 link set
of two M2PA links (RFC 4165: SCTP PPID 5, Link Status on stream 0, User Data on
stream 1). Link 1 passes through m2pa_relay.py so it can be killed alone.
  1. both links align and pass SLTM/SLTA; TRA; MTP-RESUME;
  2. ISUP circuit resets (GRS/GRA on 48 circuit pairs, SLS spread over both links,
     paced one at a time) run; link 1 is killed as they start: changeover (XCO/XCA)
     on both nodes, traffic continues on link 0;
  3. link 1 is restored: it realigns, passes the test, changeback (CBD/CBA);
  4. every ISUP message one node sent, the other received exactly once; no PPID,
     decode or sequence error counted. (The kill is timed at MTP-RESUME, when the
     resets start; how many messages were in flight on link 1 varies per run.)
usage: guest_isupgw_m2pa.py ISUPGW_BIN"""
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
os.environ["ISUPGW_BIN"] = sys.argv[1]
from harness import Checks, Daemon  # noqa: E402

SPANS = ", ".join('"%d-%d"' % (40 + 3 * k, 41 + 3 * k) for k in range(48))
A = """
logging: {level: info, subsystems: {isup: debug, m3ua: debug}}
ss7:
  grs_in_flight: 1
  linksets:
    - name: ls-b
      local_pc: 0-0-1
      adjacent_pc: 0-0-2
      proving_ms: 500
      links:
        - {slc: 0, transport: sctp, local: {address: 127.0.0.1, port: 3565}}
        - {slc: 1, transport: sctp, local: {address: 127.0.0.1, port: 3566}}
  trunk_groups: [{name: tg, opc: 0-0-1, dpc: 0-0-2, cics: [%s]}]
""" % SPANS
B = """
logging: {level: info, subsystems: {isup: debug, m3ua: debug}}
ss7:
  grs_in_flight: 1
  linksets:
    - name: ls-a
      local_pc: 0-0-2
      adjacent_pc: 0-0-1
      proving_ms: 500
      links:
        - {slc: 0, transport: sctp, remote: {address: 127.0.0.1, port: 3565}}
        - {slc: 1, transport: sctp, remote: {address: 127.0.0.1, port: 3567}}
  trunk_groups: [{name: tg, opc: 0-0-2, dpc: 0-0-1, cics: [%s]}]
""" % SPANS


def relay():
    return subprocess.Popen([sys.executable, os.path.join(HERE, "m2pa_relay.py"), "3567", "3566"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def counter(d, name):
    for l in d.lines:
        m = re.search(r"counter name=%s value=(\d+)" % re.escape(name), l)
        if m:
            return int(m.group(1))
    return 0


def count(d, pattern):
    return sum(1 for l in d.lines if re.search(pattern, l))


c = Checks()
a = Daemon(A)
r = relay()
time.sleep(0.5)
b = Daemon(B)
try:
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        for slc in (0, 1):
            c.check(f"{name}: M2PA link {ls}/{slc} in service over SCTP",
                    d.wait_for(r"m2pa_link_in_service link=%s/%d" % (ls, slc), 90) is not None, d.lines[-15:])
            c.check(f"{name}: SLTA on SLC {slc}", d.wait_for(r"mtp3_rx_mgmt linkset=%s slc=%d message=SLTA" % (ls, slc),
                                                            60) is not None)
    # Kill link 1 as the circuit resets start.
    c.check("B: MTP-RESUME for 0-0-1", b.wait_for(r"isup mtp.resume dpc=1", 60) is not None)
    r.send_signal(signal.SIGKILL)
    r.wait()
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        c.check(f"{name}: link 1 unavailable",
                d.wait_for(r"mtp3_link_unavailable linkset=%s slc=1" % ls, 60) is not None, d.lines[-15:])
        c.check(f"{name}: changeover of link 1 done",
                d.wait_for(r"mtp3_changeover_done linkset=%s slc=1" % ls, 60) is not None, d.lines[-15:])
    for name, d in (("A", a), ("B", b)):
        c.check(f"{name}: every circuit reset (last pair, CIC 181)",
                d.wait_for(r"fsm=circuit_group group=tg cic=181 from=await_gra event=GRA to=done", 120) is not None,
                d.lines[-15:])
    # Restore link 1: realignment, test, changeback.
    n_a, n_b = len(a.lines), len(b.lines)
    r = relay()
    for name, d, ls, n in (("A", a, "ls-b", n_a), ("B", b, "ls-a", n_b)):
        c.check(f"{name}: link 1 available again",
                d.wait_for(r"mtp3_link_available linkset=%s slc=1" % ls, 90, start=n) is not None, d.lines[-15:])
        c.check(f"{name}: changeback of link 1 done",
                d.wait_for(r"mtp3_changeback_done linkset=%s slc=1" % ls, 60, start=n) is not None, d.lines[-15:])
    time.sleep(2)
    for name, d in (("A", a), ("B", b)):
        rc, took = d.stop(15)
        c.check(f"{name}: stops cleanly", rc == 0, (rc, took))
    a_tx, b_rx = count(a, r"isup tx group="), count(b, r"isup rx group=")
    b_tx, a_rx = count(b, r"isup tx group="), count(a, r"isup rx group=")
    c.check("every ISUP message A sent, B received once", a_tx >= 96 and a_tx == b_rx, (a_tx, b_rx))
    c.check("every ISUP message B sent, A received once", b_tx >= 96 and b_tx == a_rx, (b_tx, a_rx))
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        per_link = [counter(d, "m2pa.link.%s/%d.tx_msu" % (ls, slc)) for slc in (0, 1)]
        c.check(f"{name}: both links carried traffic", min(per_link) > 0, per_link)
        retrieved = counter(d, "mtp3.linkset.%s.retrieved" % ls)
        discarded = counter(d, "mtp3.linkset.%s.discarded" % ls)
        # MTP3 management on the dying link (e.g. an SLTM) may be discarded; ISUP is counted above.
        print(f"{name}: per-link tx {per_link}, retrieved {retrieved}, discarded {discarded}")
        for l in d.lines:
            if re.search(r"mtp3_(changeover|changeback|link_un)|m2pa_retrieved|discard", l):
                print("  " + l)
    bad = [l for l in a.lines + b.lines
           if re.search(r"counter name=\S*(decode_errors|bad_ppid|out_of_sequence|duplicates)\S* value=[1-9]", l)]
    c.check("no PPID, decode or sequence errors counted", not bad, bad)
finally:
    for d in (a, b):
        d.cleanup()
    if r.poll() is None:
        r.kill()
c.finish()

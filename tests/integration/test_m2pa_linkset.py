"""Two isupgw daemons joined by an SS7 link set of two M2PA links over TCP on
loopback (issue 9): each link aligns (RFC 4165 proving, shortened to 500 ms),
passes the signalling link test (Q.707 SLTM/SLTA), TRA makes the adjacent SP
available (MTP-RESUME), then ISUP resets the circuits both ways (GRS/GRA)
through MTP3 over M2PA, with no decode error counted on either side.
A's MTP restarts (Q.704 9.2, the default); B comes up as the adjacent SP of a
restarting one (9.3, mtp_restart: adjacent): B's TRA first, then A's."""
import re

from harness import Checks, Daemon

A = """
logging: {level: info, subsystems: {isup: debug, m3ua: debug}}
ss7:
  linksets:
    - name: ls-b
      local_pc: 0-0-1
      adjacent_pc: 0-0-2
      proving_ms: 500
      t1_changeover_ms: 1200
      slt_t1_ms: 4000
      links:
        - {slc: 0, transport: tcp, local: {address: 127.0.0.1, port: 0}}
        - {slc: 1, transport: tcp, local: {address: 127.0.0.1, port: 0}}
  trunk_groups: [{name: tg-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]},
                 {name: spread-b, opc: 0-0-1, dpc: 0-0-2, cics: ["49", "66", "83", "100", "117", "134", "151", "168", "185", "202", "219", "236", "253", "270", "287", "304"]}]
"""
B = """
logging: {level: info, subsystems: {isup: debug, m3ua: debug}}
ss7:
  linksets:
    - name: ls-a
      local_pc: 0-0-2
      adjacent_pc: 0-0-1
      proving_ms: 500
      mtp_restart: adjacent
      links:
        - {slc: 0, transport: tcp, remote: {address: 127.0.0.1, port: %d}}
        - {slc: 1, transport: tcp, remote: {address: 127.0.0.1, port: %d}}
  trunk_groups: [{name: tg-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]},
                 {name: spread-a, opc: 0-0-2, dpc: 0-0-1, cics: ["49", "66", "83", "100", "117", "134", "151", "168", "185", "202", "219", "236", "253", "270", "287", "304"]}]
"""

c = Checks()
a = Daemon(A)
b = None
try:
    ports = []
    for slc in (0, 1):
        line = a.wait_for(r"listening linkset=ls-b slc=%d transport=tcp port=(\d+)" % slc)
        c.check(f"A listens for SLC {slc}", line is not None, a.lines)
        ports.append(int(re.search(r"port=(\d+)", line).group(1)) if line else 9)
    c.check("A: ISUP starts with the adjacent SP paused", a.wait_for(r"isup mtp.pause dpc=2") is not None)
    b = Daemon(B % tuple(ports))
    # Configured MTP3 timers take effect; the others keep their Q.704/Q.707 defaults.
    c.check("A: link set timers as configured (T1 1200 ms, SLT T1 4000 ms), others default",
            a.wait_for(r"mtp3_linkset linkset=ls-b links=2 t1_changeover_ms=1200 t2_changeover_ms=1500 "
                       r"t4_changeback_ms=1000 slt_t1_ms=4000 slt_t2_ms=60000 t19_ms=68000 t20_ms=60000 "
                       r"t21_ms=64000 mtp_restart=own") is not None,
            [l for l in a.lines if "mtp3_linkset " in l])
    c.check("B: default link set timers (T1 800 ms, SLT T1 8000 ms)",
            b.wait_for(r"mtp3_linkset linkset=ls-a links=2 t1_changeover_ms=800 t2_changeover_ms=1500 "
                       r"t4_changeback_ms=1000 slt_t1_ms=8000 slt_t2_ms=60000 t19_ms=68000 t20_ms=60000 "
                       r"t21_ms=64000 mtp_restart=adjacent") is not None,
            [l for l in b.lines if "mtp3_linkset " in l])
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        for slc in (0, 1):
            c.check(f"{name}: M2PA link {ls}/{slc} in service",
                    d.wait_for(r"m2pa_link_in_service link=%s/%d" % (ls, slc)) is not None, d.lines[-30:])
            c.check(f"{name}: SLTA received on SLC {slc}",
                    d.wait_for(r"mtp3_rx_mgmt linkset=%s slc=%d message=SLTA" % (ls, slc)) is not None)
            c.check(f"{name}: link SLC {slc} available",
                    d.wait_for(r"mtp3_link_available linkset=%s slc=%d" % (ls, slc)) is not None)
        c.check(f"{name}: TRA received", d.wait_for(r"mtp3_rx_mgmt linkset=%s slc=\d+ message=TRA" % ls) is not None)
    c.check("A: its restart (Q.704 9.2, T20) ended on B's TRA",
            a.wait_for(r"mtp3_restart linkset=ls-b phase=end role=restarting by=tra_completes") is not None)
    c.check("B: the adjacent SP's restart (9.3, T21) ended on A's TRA",
            b.wait_for(r"mtp3_restart linkset=ls-a phase=end role=adjacent by=tra_completes") is not None)
    c.check("A: MTP-RESUME for 0-0-2", a.wait_for(r"isup mtp.resume dpc=2") is not None)
    c.check("B: MTP-RESUME for 0-0-1", b.wait_for(r"isup mtp.resume dpc=1") is not None)
    for name, d in (("A", a), ("B", b)):
        c.check(f"{name}: sends GRS", d.wait_for(r"isup tx group=\S+ cic=1 msg=GRS") is not None)
        c.check(f"{name}: answers the peer's GRS with GRA", d.wait_for(r"isup tx group=\S+ cic=1 msg=GRA") is not None)
        c.check(f"{name}: its reset completes on GRA",
                d.wait_for(r"fsm=circuit_group group=\S+ cic=1 from=await_gra event=GRA to=done") is not None)
    # Circuits 49, 66, ... 304 have SLS 1, 2, ... 15, 0 (Q.764: SLS = 4 LSBs of the CIC).
    for name, d in (("A", a), ("B", b)):
        c.check(f"{name}: the last spread circuit is reset",
                d.wait_for(r"isup tx group=spread-\S+ cic=304 msg=\S+") is not None)
    # The last messages in flight are the answers to the last spread circuit's reset (RLC to RSC, Q.764
    # 2.10.3.1): once each side has received its own, both stop with nothing in flight.
    for name, d in (("A", a), ("B", b)):
        c.check(f"{name}: the last spread circuit's reset acknowledged",
                d.wait_for(r"isup rx group=spread-\S+ cic=304 msg=(RLC|GRA)") is not None, d.lines[-10:])
    rc_b, _ = b.stop()
    rc_a, took = a.stop()
    bad = [l for l in a.lines + b.lines
           if re.search(r"counter name=\S*(decode_errors|framing_errors|out_of_sequence|duplicates)\S* value=[1-9]", l)]
    c.check("no decode, framing or sequence errors counted on either side", not bad, bad)
    c.check("both stop cleanly", rc_a == 0 and rc_b == 0, (rc_a, rc_b, took))

    def counter(d, name):
        for l in d.lines:
            m = re.search(r"counter name=%s value=(\d+)" % re.escape(name), l)
            if m:
                return int(m.group(1))
        return 0

    def count(d, pattern):
        return sum(1 for l in d.lines if re.search(pattern, l))

    # ISUP counted at both ends: everything one side sent, the other received, once.
    a_tx, b_rx = count(a, r"isup tx group="), count(b, r"isup rx group=")
    b_tx, a_rx = count(b, r"isup tx group="), count(a, r"isup rx group=")
    c.check("every ISUP message A sent, B received once", a_tx > 16 and a_tx == b_rx, (a_tx, b_rx))
    c.check("every ISUP message B sent, A received once", b_tx > 16 and b_tx == a_rx, (b_tx, a_rx))
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        per_link = [counter(d, "m2pa.link.%s/%d.tx_msu" % (ls, slc)) for slc in (0, 1)]
        c.check(f"{name}: load shared by SLS over both links", min(per_link) >= 8, per_link)
finally:
    for d in (a, b):
        if d:
            d.cleanup()
c.finish()

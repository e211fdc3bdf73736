"""Runs inside the VM (kernel SCTP): SCTP multi-homing (issue 19, RFC 4960 6.4)
under an M2PA link (RFC 4165) between two isupgw nodes of a SIP -> ISUP -> SIP tandem.
  SIPp UAC -> node A (SIP -> ISUP) -> one M2PA link, one SCTP association
           over two paths -> node B (ISUP -> SIP) -> SIPp UAS
Path 1 is network 127.0.1.0/24 (A 127.0.1.1, B 127.0.1.2), path 2 network 127.0.2.0/24
(A 127.0.2.1, B 127.0.2.2), all on lo. A listens on both of its addresses (sctp_bindx)
and admits B only because every address of B's association is allowed; B binds both of
its addresses and connects to both of A's (sctp_connectx), path 1 primary.
  1. the link aligns and passes SLTM/SLTA; circuits reset;
  2. SIPp calls at RATE calls/s; CUT_AFTER_S in, network 1 is cut for real: policy
     routing drops every packet to or from 127.0.1.0/24 (ip rule ... blackhole, ahead of
     the local table; this VM's kernel has neither netfilter nor tc modules loaded);
  3. SCTP retransmits on path 2 and declares path 1 failed: each node logs and counts
     sctp.path_down (SCTP_PEER_ADDR_CHANGE), the kernel's own table (/proc/net/sctp/remaddr)
     shows path 1 not active; the M2PA link stays in service (no changeover);
  4. network 1 is restored: heartbeats succeed again, sctp.path_up on both nodes;
  5. every SIPp call succeeded (0 failed); every circuit idle at the end;
  6. on the wire (dumpcap on lo in the VM, decoded by tshark on the host after the VM run,
     `--host-check`): every ISUP message one node sent reached the other exactly once (per
     CIC and message type, SCTP retransmissions counted once), DATA went over both paths,
     and path 1 carried nothing (neither DATA nor HEARTBEAT) while it was cut.
usage: guest_isupgw_multihome.py ISUPGW_BIN | guest_isupgw_multihome.py --host-check RESULTS_DIR"""
import collections
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

RATE, CALLS, HOLD_MS = 20, 200, 500  # ~10 s of traffic
# The scenario's own timing (the point of the test): network 1 is cut 3 s into the traffic and
# restored once both nodes have declared the path failed and traffic ran on path 2 for 1 s.
CUT_AFTER_S, RUN_ON_PATH2_S = 3.0, 1.0
PORT = 3565  # A listens (M2PA's port); B connects from an ephemeral port
A1, A2, B1, B2 = "127.0.1.1", "127.0.2.1", "127.0.1.2", "127.0.2.2"
NET1 = "127.0.1.0/24"
A_SIP, B_SIP, UAC_PORT, UAS_PORT = 5060, 5090, 5070, 5080
# SCTP timers for a failover within seconds (RFC 4960 15 defaults: RTO.Min 1 s, RTO.Max 60 s, HB.interval
# 30 s, Path.Max.Retrans 5); generous enough for TCG. Written to /proc/sys/net/sctp before the nodes start.
SCTP_SYSCTL = {"rto_min": 200, "rto_initial": 300, "rto_max": 1000, "hb_interval": 500, "path_max_retrans": 2,
               "association_max_retrans": 30}

A = """
node: {name: gw-a}
logging: {level: info, subsystems: {isup: debug}}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: %d}]
  trunks: [{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}]
ss7:
  point_code_format: itu
  trunk_groups: [{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-64"]}]
  linksets:
    - name: ls-b
      local_pc: 0-0-1
      adjacent_pc: 0-0-2
      proving_ms: 500
      links:
        - {slc: 0, transport: sctp, local: {port: %d}, local_addresses: [%s, %s], allowed_peers: [%s, %s]}
routes:
  - {prefix: "", from: callers, targets: [{trunk_group: a-b}]}
""" % (A_SIP, PORT, A1, A2, B1, B2)
B = """
node: {name: gw-b}
logging: {level: info, subsystems: {isup: debug}}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: %d}]
  trunks: [{name: callee, address: 127.0.0.1, port: %d}]
ss7:
  point_code_format: itu
  trunk_groups: [{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-64"]}]
  linksets:
    - name: ls-a
      local_pc: 0-0-2
      adjacent_pc: 0-0-1
      proving_ms: 500
      mtp_restart: adjacent
      links:
        - {slc: 0, transport: sctp, local_addresses: [%s, %s], remote_addresses: [%s, %s]}
routes:
  - {prefix: "", from: b-a, targets: [{sip_trunk: callee}]}
""" % (B_SIP, UAS_PORT, B1, B2, A1, A2)


def ip(*args):
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def remaddr():
    """The kernel's own table of SCTP peer addresses: {address: STATE} (0 inactive, 1 PF, 2 active)."""
    out = {}
    with open("/proc/net/sctp/remaddr") as f:
        rows = [l.split() for l in f]
    # ADDR ASSOC_ID HB_ACT RTO MAX_PATH_RTX REM_ADDR_RTX START STATE
    for r in rows[1:]:
        if len(r) >= 8 and r[7].isdigit():
            out[r[0].lstrip("*")] = int(r[7])
    return out


def paths_on_wire(pcap):
    """Per SCTP packet: time, source and destination address, chunk types (tshark on the host)."""
    r = subprocess.run(["tshark", "-n", "-o", "sctp.tsn_analysis:FALSE", "-r", pcap, "-Y", "sctp", "-T", "fields",
                        "-E", "separator=/t", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ip.dst",
                        "-e", "sctp.chunk_type", "-e", "sctp.srcport", "-e", "sctp.dstport", "-e", "sctp.data_tsn_raw"],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"tshark failed: {r.stderr[-500:]}")
    out = []
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) == 7:
            out.append((float(f[0]), f[1], f[2], [int(t) for t in f[3].split(",") if t], f[4], f[5],
                        [int(t) for t in f[6].split(",") if t]))
    return out


def host_check(results):
    """tshark on the host reads the capture taken in the VM."""
    c = Checks()
    with open(os.path.join(results, "logs.json")) as f:
        logs = json.load(f)
    pcap = os.path.join(results, "multihome.pcap")
    chunks = wire.chunks(pcap)
    print(f"{len(chunks)} SCTP DATA chunks captured in the VM, {len(wire.unique(chunks))} after retransmissions")
    to_b, to_a = wire.isup_between(chunks, sport=PORT), wire.isup_between(chunks, dport=PORT)
    check_each_delivered_once(c, logs, to_b, to_a, 2 * CALLS)
    # Per path (the destination address names the path, RFC 4960 6.4), by chunk type: 0 DATA, 4 HEARTBEAT, 5 ACK.
    t_cut, t_restore = logs["t_cut"], logs["t_restore"]
    per = collections.Counter()
    during = collections.Counter()
    cut_tsns, path2_tsns = set(), set()  # (ports, TSN) of DATA sent to path 1 during the cut; of DATA on path 2
    for t, s, d, types, sport, dport, tsns in paths_on_wire(pcap):
        net = "path1" if d in (A1, B1) else "path2" if d in (A2, B2) else d
        if net == "path2":
            path2_tsns.update((sport, dport, x) for x in tsns)
        elif t_cut + 0.1 < t < t_restore:
            cut_tsns.update((sport, dport, x) for x in tsns)
        for ty in types:
            name = {0: "DATA", 4: "HEARTBEAT", 5: "HEARTBEAT_ACK"}.get(ty)
            if name:
                per[(net, name)] += 1
                if t_cut + 0.1 < t < t_restore and net == "path1":  # 0.1 s: what was routed before the rule
                    during[name] += 1
    print("SCTP chunks per path:", dict(sorted(per.items())))
    c.check("tshark: DATA went over path 1 (before the cut) and over path 2 (during it)",
            per[("path1", "DATA")] > 0 and per[("path2", "DATA")] > 0, dict(per))
    # A HEARTBEAT's destination names the path it probes; its ACK goes back to the HEARTBEAT's source address
    # (RFC 4960 8.3), which the kernel picks by route and may be either path's: ACKs are counted, not placed.
    c.check("tshark: heartbeats on both paths, answered", per[("path1", "HEARTBEAT")] > 0 and
            per[("path2", "HEARTBEAT")] > 0 and per[("path1", "HEARTBEAT_ACK")] + per[("path2", "HEARTBEAT_ACK")] > 0,
            dict(per))
    # Captured on lo is not delivered: the blackhole drops a packet at the receiving end's route lookup
    # when the sender's cached route let it out. Every DATA chunk put on path 1 during the cut must
    # have been sent again on path 2 (RFC 4960 6.4.1: retransmission to another active address).
    print(f"path 1 during the cut (captured, not delivered): {dict(during)}; "
          f"{len(cut_tsns)} DATA chunks, all retransmitted on path 2: {cut_tsns <= path2_tsns}")
    c.check("tshark: every DATA chunk sent to path 1 during the cut was retransmitted on path 2",
            cut_tsns <= path2_tsns, sorted(cut_tsns - path2_tsns)[:8])
    c.check("tshark: path 1's heartbeats went unanswered during the cut", during["HEARTBEAT_ACK"] <= 1, dict(during))
    c.finish()


if sys.argv[1] == "--host-check":
    host_check(sys.argv[2])

c = Checks()
t_start = time.monotonic()
results = os.environ.get("VM_RESULTS")
c.check("results folder on the share", bool(results) and os.path.isdir(results), results)
for k, v in SCTP_SYSCTL.items():
    with open("/proc/sys/net/sctp/" + k, "w") as f:
        f.write(str(v))
# The local table moves behind pref 10 so that the cut (pref 5) comes first.
ok1, out1 = ip("rule", "add", "pref", "10", "table", "local")
ok2, out2 = ip("rule", "del", "pref", "0")
c.check("policy routing: the local table moved behind the cut's rules", ok1 and ok2, (out1, out2))
logs = tempfile.mkdtemp(prefix="multihome-vm-", dir="/dev/shm")
cap = Capture(os.path.join(logs, "multihome.pcap"), "sctp or udp port 9", ("127.0.0.1", 9), timeout=60)
c.check("dumpcap captures lo in the VM", cap.started)
a = Node("A", A, logs)
b = Node("B", B, logs)
uas = uac = None
t_cut = t_restore = 0.0
kernel_during = {}
try:
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        c.check(f"{name}: M2PA link {ls}/0 in service over SCTP",
                d.wait_for(r"m2pa_link_in_service link=%s/0" % ls, 90) is not None, d.lines[-15:])
        line = d.wait_for(r"sctp_paths link=%s/0" % ls, 5)
        c.check(f"{name}: the association has both peer addresses", line is not None and
                all(x in line for x in ((B1, B2) if name == "A" else (A1, A2))), line)
        if name == "B":
            c.check("B: path 1 (A's first address) is the primary", line is not None and "primary=" + A1 in line, line)
        c.check(f"{name}: SLTA", d.wait_for(r"mtp3_rx_mgmt linkset=%s slc=0 message=SLTA" % ls, 60) is not None)
    for name, d in (("A", a), ("B", b)):
        c.check(f"{name}: circuits reset", d.wait_for(r"group=\S+ cic=33 from=await_gra event=GRA", 60) is not None,
                d.lines[-15:])
    kernel_before = remaddr()
    print("kernel's SCTP peer addresses before the cut (2 = active):", kernel_before)

    uas_out, uac_out = os.path.join(logs, "uas.txt"), os.path.join(logs, "uac.txt")
    with open(uas_out, "w") as fo:
        uas = sipp(["-sn", "uas", "-trace_err", "-error_file", os.path.join(logs, "uas-errors.txt"), "-p",
                    str(UAS_PORT)], fo)
    c.check("SIPp UAS bound its port", wait_port(UAS_PORT, "udp", 30))
    with open(uac_out, "w") as fo:
        uac = sipp(["-sn", "uac", "-trace_err", "-error_file", os.path.join(logs, "uac-errors.txt"), "-s",
                    "4930123456", "-p", str(UAC_PORT), "-r", str(RATE), "-m", str(CALLS), "-d", str(HOLD_MS),
                    "127.0.0.1:%d" % A_SIP], fo)
    t_traffic = time.monotonic()
    time.sleep(CUT_AFTER_S)
    n_a, n_b = len(a.lines), len(b.lines)
    ok1, out1 = ip("rule", "add", "pref", "5", "to", NET1, "blackhole")
    ok2, out2 = ip("rule", "add", "pref", "6", "from", NET1, "blackhole")
    t_cut = time.time()  # once both rules are in (starting `ip` takes a while under TCG)
    c.check("network 1 cut (ip rule blackhole to/from 127.0.1.0/24)", ok1 and ok2, (out1, out2))
    t0 = time.monotonic()
    for name, d, n, lost in (("A", a, n_a, B1), ("B", b, n_b, A1)):
        line = d.wait_for(r"sctp_path_down link=\S+ address=%s " % re.escape(lost), 20, start=n)
        c.check(f"{name}: path to {lost} declared failed (SCTP_PEER_ADDR_CHANGE, logged)", line is not None,
                d.lines[-10:])
    t_detect = time.monotonic() - t0
    kernel_during = remaddr()
    print(f"path 1 declared failed by both nodes {t_detect:.1f} s after the cut; kernel's view:", kernel_during)
    c.check("kernel: path 1 addresses not active during the cut, path 2 active",
            all(kernel_during.get(x, 2) != 2 for x in (A1, B1)) and all(kernel_during.get(x) == 2 for x in (A2, B2)),
            kernel_during)
    time.sleep(RUN_ON_PATH2_S)
    n_a, n_b = len(a.lines), len(b.lines)
    t_restore = time.time()
    ip("rule", "del", "pref", "5")
    ip("rule", "del", "pref", "6")
    t0 = time.monotonic()
    for name, d, n, back in (("A", a, n_a, B1), ("B", b, n_b, A1)):
        c.check(f"{name}: path to {back} up again (heartbeat answered)",
                d.wait_for(r"sctp_path_up link=\S+ address=%s " % re.escape(back), 20, start=n) is not None,
                d.lines[-10:])
    print(f"path 1 down for {t_restore - t_cut:.1f} s; back up on both nodes {time.monotonic() - t0:.1f} s "
          f"after the restore")
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
    print(f"SIPp UAC: rc {uac_rc}, {stats}, traffic {time.monotonic() - t_traffic:.1f} s")
    c.check(f"SIPp UAC: all {CALLS} calls successful, 0 failed",
            uac_rc == 0 and stats["Successful call"] == CALLS and stats["Failed call"] == 0,
            (uac_rc, stats, open(uac_out, errors="replace").read()[-1500:]))

    def settled():
        a.refresh()
        b.refresh()
        return isup(a, "tx") == isup(b, "rx") and isup(b, "tx") == isup(a, "rx")

    c.check("the last ISUP messages delivered before the nodes stop", wait_until(settled, 30, 0.5) is not None)
    for name, d, ls in (("A", a, "ls-b"), ("B", b, "ls-a")):
        before_stop = list(d.lines)
        rc, _ = d.stop(15)
        c.check(f"{name}: stops cleanly", rc == 0, rc)
        idle = [l for l in d.lines if " isup circuits " in l]
        c.check(f"{name}: every circuit idle at stop", idle and all(" busy=0" in l for l in idle), idle)
        down, up = counter(d, "sctp.path_down"), counter(d, "sctp.path_up")
        c.check(f"{name}: sctp.path_down and sctp.path_up counted", down >= 1 and up >= 1, (down, up))
        c.check(f"{name}: the M2PA link never left service (no changeover)",
                not [l for l in before_stop if re.search(r"mtp3_link_unavailable|mtp3_changeover", l)])
        print(f"{name}: sctp.path_down {down}, sctp.path_up {up}, "
              f"tx_msu {counter(d, 'm2pa.link.%s/0.tx_msu' % ls)}")
        for l in d.lines:
            if "sctp_path" in l:
                print("  " + l)
    bad = [l for l in a.lines + b.lines
           if re.search(r"counter name=(\S*(decode_errors|bad_ppid|out_of_sequence|duplicates)|guard\.\S*refused)\S* value=[1-9]",
                        l)]
    c.check("no PPID, decode, sequence error or refused association counted", not bad, bad)
    print(f"scenario took {time.monotonic() - t_start:.1f} s in the VM")
finally:
    for p in (uac, uas):
        if p and p.poll() is None:
            p.kill()
    for d in (a, b):
        d.cleanup()
    ip("rule", "del", "pref", "5")
    ip("rule", "del", "pref", "6")
    c.check("capture complete", cap.stop(30))
    if results and os.path.isdir(results):
        shutil.copy(cap.path, results)
        with open(os.path.join(results, "logs.json"), "w") as f:
            json.dump({"A": a.lines, "B": b.lines, "t_cut": t_cut, "t_restore": t_restore}, f)
        check = os.path.join(results, "host-check")
        with open(check, "w") as f:
            f.write('#!/bin/sh\nexec python3 %s --host-check "$(dirname "$0")"\n' % os.path.abspath(__file__))
        os.chmod(check, 0o755)
    if c.failed:
        kept = shutil.copytree(logs, tempfile.mkdtemp(prefix="multihome-vm-logs-", dir="/tmp"), dirs_exist_ok=True)
        print(f"logs (daemons, SIPp) in {kept}")
c.finish()

"""Reload under load (issue 16): SIPp UAC -> gateway A -> ISUP over M3UA/TCP ->
gateway B -> SIPp UAS at RATE calls/s while A's configuration is changed and
reloaded (SIGHUP) RELOADS times: the routes (a probe prefix 77<k> exists only in
version k) and trunk group a-b's CIC ranges (withdrawn, added new, and back).

Reloads alternate between SIGHUP and the management API's POST /reload.
Oracles, none of them A's own log:
- SIPp's counts: the load UAC ends with 0 failed calls and every call successful.
- After each reload the new routes act on the next calls (SIPp probes: 77<k> is
  answered, 77<k-1> gets 404 -- no route).
- The wire (dumpcap on the M3UA/TCP port, M3UA messages re-wrapped for tshark):
  for each reload in order, A sent CGB/BLO (maintenance) covering every CIC it
  withdrew and CGU/UBL for every CIC that came back.
- A broken file during the load is refused with FILE:LINE (and the next probe
  still finds the running routes).
- The management API shows each change (GET /trunk-groups/a-b/circuits: every
  withdrawn CIC locally maintenance blocked once drained, every other one not),
  and at the end its circuit query (POST .../query: CQM, B's CQR decoded) finds
  every CIC idle at B, none hung, the withdrawn ones remotely blocked there.
- At the end B is replaced by isup-peer, which answers A's GRSs and sends CQMs:
  the CQRs show every CIC idle, the withdrawn ones idle and locally blocked --
  no hung CIC.
Short in CI (200 calls/s, 20 s, 10 reloads); scripts/bench-reload runs it longer
(RELOAD_RATE, RELOAD_SECONDS, RELOADS)."""
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time

import rogue
from calltest import ISUP_PEER, SIPP, free_port, m3ua_port, scenario, uac
from harness import Capture, Checks, Daemon, run, wait_port, wait_until
from mgmtapi import api_url, request, token_file

RATE = int(os.environ.get("RELOAD_RATE", "200"))
SECONDS = int(os.environ.get("RELOAD_SECONDS", "20"))
RELOADS = int(os.environ.get("RELOADS", "10"))
HOLD_MS = int(os.environ.get("RELOAD_HOLD_MS", "100"))
UAS_PORT = free_port()
TOKEN = "reload-token-0123456789abcdef"
TOKEN_FILE = token_file(TOKEN)
ALL = (1, 192)  # B's circuits: every CIC any version of A uses

# A's CIC ranges per version (version 0 = at start); the cycle repeats for more reloads.
# Every CIC is equipped at start: B resets all of its circuits (GRS) when A appears,
# and a GRS that A cannot answer (a CIC A lacks) B repeats until it is answered
# (T22/T23, Q.764 2.10.3.2) -- a repeat that would reset a CIC A had equipped
# meanwhile, with its call. New CICs (GRS/RSC) are covered by
# unit_isup CircuitEquipmentTest; here ranges are withdrawn and come back.
VERSIONS = [
    [(1, 192)],
    [(1, 128)],                         # withdraw 129-192 (CGB)
    [(1, 96), (129, 160)],              # withdraw 97-128, back 129-160 (CGU)
    [(1, 80), (129, 160)],              # withdraw 81-96
    [(1, 160)],                         # back 81-128
    [(1, 60), (81, 160)],               # withdraw 61-80
    [(1, 192)],                         # back 61-80 and 161-192
    [(1, 32), (65, 192)],               # withdraw 33-64
    [(1, 160)],                         # back 33-64, withdraw 161-192
    [(1, 128)],                         # withdraw 129-160
    [(1, 128), (161, 192)],             # back 161-192
]
# At least 112 circuits stay in service: ~4 times the calls in progress at 200 calls/s
# (100 ms hold), headroom for a loaded machine's bursts.


def version(k):
    return VERSIONS[0] if k == 0 else VERSIONS[1 + (k - 1) % (len(VERSIONS) - 1)]


def cic_set(ranges):
    return {c for a, b in ranges for c in range(a, b + 1)}


B = f"""
node: {{name: gw-b}}
logging: {{level: warn, subsystems: {{m3ua: notice, core: info}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callee, address: 127.0.0.1, port: {UAS_PORT}}}]
ss7:
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["{ALL[0]}-{ALL[1]}"]}}]
management:
  listen: {{address: 127.0.0.1, port: 0}}
  token_file: {TOKEN_FILE}
routes: [{{prefix: "", from: b-a, targets: [{{sip_trunk: callee}}]}}]
"""


def a_config(k, m3ua, sip):
    cics = ", ".join(f'"{a}-{b}"' for a, b in version(k))
    return f"""
node: {{name: gw-a}}
logging: {{level: warn, subsystems: {{m3ua: notice, core: info, config: info, isup: info}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: {sip}}}]
  trunks: [{{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
ss7:
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {m3ua}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: [{cics}]}}]
management:
  listen: {{address: 127.0.0.1, port: 0}}
  token_file: {TOKEN_FILE}
routes:
  - {{prefix: "4930", from: callers, targets: [{{trunk_group: a-b}}]}}
  - {{prefix: "77{k}", from: callers, targets: [{{trunk_group: a-b}}]}}
"""


def shows(url, cics):
    """GET /trunk-groups/a-b/circuits: the CICs out of `cics` are locally maintenance
    blocked (withdrawn and drained), those in it are not."""
    st, rows = request(url + "/trunk-groups/a-b/circuits", token=TOKEN)
    if st != 200:
        return False
    return all(r["local_maintenance_blocked"] == (r["cic"] not in cics) for r in rows)


def write(path, text):
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)  # the daemon never reads half a file


def reload(d, text, want):
    write(d.config_path, text)
    n = len(d.lines)
    d.signal(signal.SIGHUP)
    return d.wait_for(want, timeout=10, start=n)


def maintenance_on_wire(pcap, m3ua):
    """A -> B ISUP maintenance messages in wire order, per tshark:
    [(acronym, first CIC, CICs covered)]."""
    streams = rogue.tcp_payloads(pcap, f"tcp.dstport == {m3ua}")
    msgs = []
    for key, data in streams.items():
        msgs += rogue.m3ua_messages(data)
    # Only DATA messages whose ISUP type is a maintenance one go to tshark (the calls' are thousands).
    keep = []
    for m in msgs:
        if len(m) < 8 or m[2:4] != b"\x01\x01":  # M3UA class 1 (transfer), type 1 (DATA)
            continue
        off = 8
        while off + 4 <= len(m):
            tag, length = struct.unpack("!HH", m[off:off + 4])
            if length < 4:
                break
            if tag == 0x0210 and length >= 4 + 12 + 3:  # Protocol Data (RFC 4666 3.3.1.1): label, then ISUP
                if m[off + 4 + 12 + 2] in (0x12, 0x13, 0x14, 0x17, 0x18, 0x19):  # RSC BLO UBL GRS CGB CGU
                    keep.append(m)
                break
            off += (length + 3) & ~3
    d = tempfile.mkdtemp(prefix="reload-")
    txt, out = os.path.join(d, "m.txt"), os.path.join(d, "m.pcap")
    with open(txt, "w") as f:
        for m in keep:
            f.write("0000 " + " ".join(f"{b:02x}" for b in m) + "\n\n")
    subprocess.run(["text2pcap", "-q", "-S", "2905,2905,3", txt, out], check=True, capture_output=True, timeout=60)
    r = subprocess.run(["tshark", "-n", "-r", out, "-T", "fields", "-E", "separator=|", "-E", "occurrence=f", "-e",
                        "isup.message_type", "-e", "isup.cic", "-e", "isup.range_indicator", "-e",
                        "isup.cgs_message_type", "-e", "_ws.malformed"], capture_output=True, text=True, timeout=60)
    shutil.rmtree(d, ignore_errors=True)
    names = {18: "RSC", 19: "BLO", 20: "UBL", 23: "GRS", 24: "CGB", 25: "CGU"}
    seen = []
    for line in r.stdout.splitlines():
        t, cic, rng, cgsmti, bad = (line.split("|") + [""] * 5)[:5]
        if not t or bad:
            seen.append(("MALFORMED", 0, set()))
            continue
        t, cic = int(t), int(cic)
        n = int(rng) + 1 if rng and t in (23, 24, 25) else 1
        if t in (24, 25) and cgsmti not in ("", "0"):
            continue  # hardware oriented: not ours
        seen.append((names.get(t, str(t)), cic, set(range(cic, cic + n))))
    return seen


def sipp_counts(stat_dir):
    files = [f for f in os.listdir(stat_dir) if f.endswith(".csv")]
    if not files:
        return None, None
    with open(os.path.join(stat_dir, files[0])) as f:
        rows = [l.strip().split(";") for l in f if l.strip()]
    hdr = rows[0]
    return int(rows[-1][hdr.index("SuccessfulCall(C)")]), int(rows[-1][hdr.index("FailedCall(C)")])


c = Checks()
if not shutil.which("text2pcap") or not shutil.which("dumpcap"):
    c.skip("text2pcap/dumpcap not installed")
b = Daemon(B)
a = peer = load = srv = cap = None
work = tempfile.mkdtemp(prefix="reload-load-")
pcap = os.path.join(work, "m3ua.pcap")
try:
    m3ua = m3ua_port(b, "from-a")
    a_sip = free_port()
    a = Daemon(a_config(0, m3ua, a_sip))
    url = api_url(a)
    c.check("A's management API listens", url is not None, a.lines[-10:])
    c.check("A's link to B up", a.wait_for(r"m3ua link_ready") is not None, a.lines[-10:] + b.lines[-10:])
    wait_port(a_sip, "udp")
    srv = subprocess.Popen([SIPP, "-sn", "uas", "-i", "127.0.0.1", "-p", str(UAS_PORT), "-nostdin", "-buff_size",
                            "4194304"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    wait_port(UAS_PORT, "udp")
    # Both ends reset every circuit when the association comes up (paced GRS); the load starts
    # once neither has a circuit left resetting (GET /trunk-groups at both) and a probe call passes.
    b_url = api_url(b)

    def resets_done():
        for u, g in ((url, "a-b"), (b_url, "b-a")):
            st, groups = request(u + "/trunk-groups", token=TOKEN)
            st2, n = request(u + "/counters", token=TOKEN)
            if st != 200 or st2 != 200 or [x["resetting"] for x in groups if x["name"] == g] != [0]:
                return False
            # Every paced GRS sent (192 CICs: 6 of 32) and answered.
            if n.get("isup.tx.GRS", 0) < (ALL[1] + 31) // 32 or n.get("isup.rx.GRA", 0) < n.get("isup.tx.GRS", 0):
                return False
        return True

    c.check("both ends' circuit resets done (GET /trunk-groups and /counters at A and at B: every GRS "
            "answered, no circuit resetting)",
            b_url is not None and wait_until(resets_done, 20) is not None)
    c.check("the tandem carries a call (SIPp probe on route 770)",
            wait_until(lambda: uac("sn:uac", a_sip, service="77055")[0] == 0, 15) is not None)
    marker = free_port()
    cap = Capture(pcap, f"tcp port {m3ua} or udp port {marker}", ("127.0.0.1", marker))
    c.check("dumpcap captures the M3UA association", cap.started)
    calls = RATE * SECONDS
    load = subprocess.Popen([SIPP, "-sn", "uac", "-i", "127.0.0.1", "-p", str(free_port()), "-nostdin", "-buff_size",
                             "4194304", "-s", "4930123456", "-r", str(RATE), "-m", str(calls), "-d", str(HOLD_MS),
                             "-l", str(4 * RATE), "-timeout", str(SECONDS + 60), "-trace_stat", "-fd", "1",
                             f"127.0.0.1:{a_sip}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=work)
    t0 = time.monotonic()
    gap = SECONDS * 0.8 / (RELOADS + 1)
    for k in range(1, RELOADS + 1):
        time.sleep(max(0.0, t0 + k * gap - time.monotonic()))  # spread over the load, not a wait for an event
        if k == RELOADS // 2:  # a broken file in the middle of the load
            line = reload(a, a_config(k - 1, m3ua, a_sip).replace("node: {name: gw-a}", "node: {name: gw-a, colour: 1}"),
                          r"reload_rejected")
            c.check("broken file during the load: refused with FILE:LINE",
                    line is not None and f"{a.config_path}:2:" in line, line)
            rc, err = uac("sn:uac", a_sip, service=f"77{k - 1}55")
            c.check("after the refused file the running routes still serve (probe answered)", rc == 0, err[-300:])
        if k % 2:
            line = reload(a, a_config(k, m3ua, a_sip), r"config reloaded")
            c.check(f"reload {k} (SIGHUP): applied", line is not None and "needs_restart=0" in line, line)
        else:
            write(a.config_path, a_config(k, m3ua, a_sip))
            st, rep = request(url + "/reload", method="POST", token=TOKEN)
            c.check(f"reload {k} (POST /reload): applied, routes and CIC ranges named",
                    st == 200 and any(n.startswith("routes:") for n in rep["notes"]) and
                    any(n.startswith("ss7.trunk_groups[a-b].cics") for n in rep["notes"]) and
                    not any("restart" in n for n in rep["notes"]), (st, rep))
        now = cic_set(version(k))
        c.check(f"reload {k}: GET /trunk-groups/a-b/circuits shows the {len(now)} CICs in service and the "
                f"{ALL[1] - len(now)} withdrawn ones blocked", wait_until(lambda: shows(url, now), 10) is not None)
        rc, err = uac("sn:uac", a_sip, service=f"77{k}55")
        c.check(f"reload {k}: the new route 77{k} answers the next call (SIPp)", rc == 0, err[-300:])
        rc, err = uac(scenario("uac_expect.xml", 404), a_sip, service=f"77{k - 1}55")
        c.check(f"reload {k}: the old route 77{k - 1} is gone (SIPp: 404)", rc == 0, err[-300:])
    took = [int(m.group(1)) for l in a.lines if (m := re.search(r" config reloaded .*took_us=(\d+)", l))]
    print(f"reloads: {len(took)}, each held A's event loop {min(took, default=0)}-{max(took, default=0)} us "
          f"(median {sorted(took)[len(took) // 2] if took else 0} us)")
    try:
        rc = load.wait(SECONDS + 90)
    except subprocess.TimeoutExpired:
        load.kill()
        rc = None
    ok_calls, failed = sipp_counts(work)
    c.check(f"SIPp: {calls} calls at {RATE}/s through {RELOADS} reloads, 0 failed (successful {ok_calls}, "
            f"failed {failed})", rc == 0 and failed == 0 and ok_calls == calls, (load.stderr.read() or "")[-600:])
    # Every call has ended: the BLOs of circuits withdrawn while busy went out with their RELs.
    c.check("dumpcap: the capture is complete", cap.stop())
    cap = None
    seen = maintenance_on_wire(pcap, m3ua)
    c.check("tshark decodes every maintenance message", all(s[0] != "MALFORMED" for s in seen), seen[:5])
    blo = sum(1 for s in seen if s[0] == "BLO")
    print(f"wire: {len(seen)} maintenance messages from A, {blo} BLO (a CIC withdrawn while its call ran, "
          f"blocked when the call ended)")
    pos = 0
    for k in range(1, RELOADS + 1):
        before, after = cic_set(version(k - 1)), cic_set(version(k))
        ever = set().union(*(cic_set(version(j)) for j in range(k)))
        want = {"block": before - after, "reset": after - ever, "unblock": (after - before) & ever}
        got = {"block": set(), "reset": set(), "unblock": set()}
        kinds = {"CGB": "block", "BLO": "block", "GRS": "reset", "RSC": "reset", "CGU": "unblock", "UBL": "unblock"}
        while any(not want[x] <= got[x] for x in want) and pos < len(seen):
            name, first, covered = seen[pos]
            pos += 1
            got[kinds[name]] |= covered
        c.check(f"reload {k}: on the wire, in order: CGB/BLO for the {len(want['block'])} CICs withdrawn, "
                f"GRS/RSC for the {len(want['reset'])} new, CGU/UBL for the {len(want['unblock'])} back",
                all(want[x] <= got[x] for x in want), {x: sorted(want[x] - got[x])[:8] for x in want})
    # The circuit query of the management API: A's CQMs, B's CQRs decoded (B's view of each CIC).
    rows = []
    for first in range(ALL[0], ALL[1] + 1, 32):
        st, t = request(url + "/trunk-groups/a-b/query", method="POST", body={"first": first, "last": first + 31},
                        token=TOKEN, timeout=15)
        rows += t["rows"] if st == 200 else [{"cic": first, "error": (st, t)}]
    last = cic_set(version(RELOADS))
    bad = [r for r in rows if r.get("call") != "idle" or r.get("hung") or
           r.get("maintenance") != ("unblocked" if r["cic"] in last else "remotely_blocked")]
    c.check(f"POST /trunk-groups/a-b/query (CQM): B has all {len(rows)} CICs idle, none hung, the "
            f"{ALL[1] - len(last)} withdrawn ones blocked by A", len(rows) == ALL[1] and not bad, bad[:5])
    # The end: B steps aside, isup-peer takes its port; A resets its circuits (GRS) and answers CQMs.
    circuits = sorted(set().union(*(cic_set(version(j)) for j in range(RELOADS + 1))))
    rc, _ = b.stop()
    c.check("B stops cleanly", rc == 0, rc)
    runs = []
    for cic in circuits:
        if runs and cic == runs[-1][1] + 1 and cic - runs[-1][0] < 32:
            runs[-1][1] = cic
        else:
            runs.append([cic, cic])
    script = []
    for first, end in runs:
        script += [f"expect GRS cic={first} range={end - first}",
                   f"send   GRA cic={first} range={end - first} status={'00' * ((end - first) // 8 + 1)}"]
    for first, end in runs:
        states = "".join("0c" if cic in last else "0d" for cic in range(first, end + 1))
        script += [f"send   CQM cic={first} range={end - first}",
                   f"expect CQR cic={first} range={end - first} circuit_state_indicator={states}"]
    spath = os.path.join(work, "cqm.txt")
    with open(spath, "w") as f:
        f.write("\n".join(script) + "\n")
    r = run([ISUP_PEER, "--m3ua-listen", f"127.0.0.1:{m3ua}", "--opc", "2", "--dpc", "1", "--timeout", "20", spath])
    c.check(f"isup-peer CQM: {len(last)} CICs idle, {len(circuits) - len(last)} withdrawn ones idle and blocked, "
            f"none hung", r.returncode == 0 and "1 passed, 0 failed" in r.stdout,
            (r.stdout + r.stderr)[-1500:] + "\n".join(l for l in a.lines if " isup " in l)[-3000:])
    rc, _ = a.stop()
    c.check("A stops cleanly", rc == 0, rc)
finally:
    for p in (load, srv):
        if p and p.poll() is None:
            p.send_signal(signal.SIGINT)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    if cap:
        cap.stop(0)
    if a:
        a.cleanup()
    b.cleanup()
    shutil.rmtree(work, ignore_errors=True)
    os.unlink(TOKEN_FILE)
c.finish()

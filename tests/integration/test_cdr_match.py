"""Call detail records against what SIPp saw (issue 17): a mix of calls through the tandem (SIPp UACs ->
gateway A -> ISUP over M3UA/TCP -> gateway B -> SIPp UASs), both gateways writing CDRs. Seven kinds of call,
one SIPp UAC and one SIPp UAS each, run at the same time: answered and cleared by the caller (plain SIP and
SIP-I towards the UAS), answered and cleared by the callee (plain and SIP-I), busy (486), no answer (180,
then 480), cancelled while ringing. B routes each kind by its called-number prefix to its own UAS.

The verdicts come from SIPp's message traces (-trace_msg), per Call-ID: A's records are matched to the
UACs' calls, B's to the UASs'. There must be exactly one record per call at each gateway, no more; its SIP
status is the final response the UAC received (A) or the UAS sent (B); its duration (answer -> release)
is within 20 ms of the time between the 200 and the BYE as SIPp saw them; its Q.850 cause is the one of the
Reason header (RFC 3326) SIPp received on that call, or, for a call whose far end saw it (caller BYE,
CANCEL: B's BYE/CANCEL to the UAS carries it), the one every call of that kind showed there.

The ISUP side is judged by isup-peer as the far exchange in test_cdr_match_peer.py (the same for A's records).
CDR_MATCH_CALLS sets the number of calls (default 420, 60 per kind: the two tests together cost what this one
did with 1,050; scripts/cdr-match runs 10,000 of each);
CDR_MATCH_RATE the calls/s of each UAC (default 10)."""
import collections
import os
import shutil
import subprocess
import tempfile
import time

from calltest import SIPP, SCEN, free_port, m3ua_port, sip_port, circuits_idle
from cdrmatch import circuits_reset, observed, parse_trace, read_jsonl
from harness import Checks, Daemon, _bound_ports, wait_port, wait_until

CALLS = int(os.environ.get("CDR_MATCH_CALLS", "420"))
RATE = int(os.environ.get("CDR_MATCH_RATE", "10"))
TOLERANCE_MS = 20

# kind, B's trunk profile, UAC scenario (sn: built-in), UAS scenario, UAC's expected final status
KINDS = [
    ("answered, caller BYE", "sip", "sn:uac", "sn:uas", 200),
    ("answered, caller BYE, SIP-I", "sip_i", "sn:uac", "sn:uas", 200),
    ("answered, callee BYE", "sip", "uac_wait_bye.xml", "uas_bye.xml", 200),
    ("answered, callee BYE, SIP-I", "sip_i", "uac_wait_bye.xml", "uas_bye.xml", 200),
    ("busy", "sip", "uac_486.xml", "uas_486.xml", 486),
    # 480 -> cause 20 subscriber absent -> 480 (Q.1912.5 tables: the gateway's mapping/cause_map.cpp)
    ("no answer", "sip", "uac_expect.xml", "uas_no_answer.xml", 480),
    ("CANCEL while ringing", "sip", "uac_cancel.xml", "uas_cancel.xml", 487),
]
COUNTS = [CALLS // len(KINDS) + (1 if i < CALLS % len(KINDS) else 0) for i in range(len(KINDS))]
TOTAL = sum(COUNTS)

work = tempfile.mkdtemp(prefix="isupgw-cdr-match-")
# SIPp's message traces in memory where there is a tmpfs: a write(2) of SIPp's stalled by the disk's
# writeback would shift its own timestamps (the oracle's), not the gateway's.
traces = tempfile.mkdtemp(prefix="isupgw-cdr-match-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
uas_ports = [free_port() for _ in KINDS]
trunks = ", ".join(f"{{name: k{i}, address: 127.0.0.1, port: {p}, profile: {k[1]}}}"
                   for i, (k, p) in enumerate(zip(KINDS, uas_ports)))
routes = "\n".join(f"  - {{prefix: \"1{i}\", from: b-a, targets: [{{sip_trunk: k{i}}}]}}" for i in range(len(KINDS)))
# Little logging (the test's load is the calls); the management API says when the circuits are reset.
LOG = "logging: {{level: notice, subsystems: {{core: info, sip: info, m3ua: info}}}}\n" \
      "management: {{listen: {{address: 127.0.0.1, port: 0}}}}"

B = f"""
node: {{name: gw-b}}
{LOG.format()}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{trunks}]
ss7:
  point_code_format: itu
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-255"]}}]
routes:
{routes}
cdr: {{directory: {work}/b, sync_interval_ms: 200}}
"""

A = f"""
node: {{name: gw-a}}
{LOG.format()}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
ss7:
  point_code_format: itu
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: @PORT@}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-255"]}}]
routes:
  - {{prefix: "", from: callers, targets: [{{trunk_group: a-b}}]}}
cdr: {{directory: {work}/a, sync_interval_ms: 200}}
"""


def scen_args(scen):
    if scen.startswith("sn:"):
        return ["-sn", scen[3:]]
    path = os.path.abspath(os.path.join(SCEN, scen))
    if "@STATUS@" in open(path).read():
        text = open(path).read().replace("@STATUS@", "480")
        path = os.path.join(work, scen)
        with open(path, "w") as f:
            f.write(text)
    return ["-sf", path]


def sipp(scen, port, calls, trace, extra=()):
    timeout = str(int(calls / RATE) + 60)
    argv = [SIPP] + scen_args(scen) + ["-i", "127.0.0.1", "-p", str(port), "-nostdin", "-m", str(calls),
                                       "-timeout", timeout, "-timeout_error", "-max_recv_loops", "1000",
                                       "-trace_msg", "-message_file", trace] + list(extra)
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=work)


c = Checks()
t_start = time.monotonic()
b = Daemon(B)
a = None
procs = []
try:
    port = m3ua_port(b, "from-a")
    a = Daemon(A.replace("@PORT@", str(port)))
    a_sip = sip_port(a)
    c.check("A and B link up, circuits reset", circuits_reset(a) and circuits_reset(b), a.lines[-10:])
    uas_traces, uac_traces = [], []
    for i, (kind, _, _, uas_scen, _) in enumerate(KINDS):
        uas_traces.append(os.path.join(traces, f"uas{i}.log"))
        procs.append(("UAS " + kind, sipp(uas_scen, uas_ports[i], COUNTS[i], uas_traces[-1])))
    # Every UAS bound before the calls start.
    for p in uas_ports:
        wait_port(p, "udp")
    t0 = time.monotonic()
    for i, (kind, _, uac_scen, _, _) in enumerate(KINDS):
        uac_traces.append(os.path.join(traces, f"uac{i}.log"))
        extra = ["-s", f"1{i}4930123456", "-r", str(RATE), "-d", "200", f"127.0.0.1:{a_sip}"]
        for _ in range(5):  # a port free a moment ago may be taken by then (other tests): another one
            port = free_port()
            p = sipp(uac_scen, port, COUNTS[i], uac_traces[-1], extra)
            wait_until(lambda: p.poll() is not None or port in _bound_ports("udp"), 10)
            if p.poll() is None or p.returncode == 0:
                break
        procs.append(("UAC " + kind, p))
    for n, (name, p) in enumerate(procs):
        try:
            rc = p.wait(max(COUNTS) / RATE + 120)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = None
        c.check(f"SIPp {name}: {COUNTS[n % len(KINDS)]} calls, all as scripted", rc == 0,
                (rc, p.stderr.read()[-400:]))
    took = time.monotonic() - t0
    print(f"{TOTAL} calls in {took:.1f} s ({time.monotonic() - t_start:.1f} s since the daemons started)")
    # Both gateways idle: every record written (the last ones wait for their RLC).
    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop(timeout=20)
        c.check(f"{name} stops cleanly", rc == 0, rc)
        ok, lines = circuits_idle(d)
        c.check(f"{name}: every circuit idle at stop", ok, lines)

    uac_calls = [parse_trace(t) for t in uac_traces]
    uas_calls = [parse_trace(t) for t in uas_traces]
    # The cause of each kind as seen at whichever end received it.
    kind_causes = []
    for i in range(len(KINDS)):
        seen = collections.Counter()
        for calls, side in ((uac_calls[i], "uac"), (uas_calls[i], "uas")):
            for msgs in calls.values():
                seen.update(set(observed(msgs, side)[3]))
        kind_causes.append(seen)
    print("causes SIPp received, per kind:", [(KINDS[i][0], dict(s)) for i, s in enumerate(kind_causes)])

    for gw, calls_of, side in (("A", uac_calls, "uac"), ("B", uas_calls, "uas")):
        recs = read_jsonl(os.path.join(work, gw.lower(), "cdr.jsonl"))
        with open(os.path.join(work, gw.lower(), "cdr.csv"), encoding="utf-8") as f:
            csv_lines = f.read().splitlines()
        c.check(f"{gw}: exactly {TOTAL} JSON records and {TOTAL} CSV records", len(recs) == TOTAL and
                len(csv_lines) == TOTAL + 1, (len(recs), len(csv_lines) - 1))
        by_call_id = collections.Counter(r["sip_call_id"] for r in recs)
        c.check(f"{gw}: one record per SIP Call-ID", all(n == 1 for n in by_call_id.values()),
                [k for k, n in by_call_id.items() if n > 1][:5])
        rec_of = {r["sip_call_id"]: r for r in recs}
        bad = collections.defaultdict(list)
        worst = 0
        matched = 0
        for i, calls in enumerate(calls_of):
            kind = KINDS[i][0]
            uniform = kind_causes[i].most_common(1)[0][0] if len(kind_causes[i]) == 1 else None
            for call_id, msgs in calls.items():
                r = rec_of.get(call_id)
                if r is None:
                    bad["no record"].append((kind, call_id))
                    continue
                matched += 1
                final, answered, released, causes = observed(msgs, side)
                if r.get("sip_status") != final:
                    bad["SIP status"].append((kind, call_id, r.get("sip_status"), final))
                expected = causes[0] if causes else uniform
                if expected is None or r.get("cause") != expected:
                    bad["cause"].append((kind, call_id, r.get("cause"), expected, dict(kind_causes[i])))
                if answered is not None and released is not None:
                    seen_ms = (released - answered) * 1000.0
                    diff = abs(r.get("duration_ms", 0) - seen_ms)
                    worst = max(worst, diff)
                    if diff > TOLERANCE_MS:
                        bad["duration"].append((kind, call_id, r.get("duration_ms"), round(seen_ms, 1)))
                elif r.get("answer") is not None or r.get("duration_ms", 0) != 0:
                    bad["unanswered with an answer"].append((kind, call_id, r.get("answer")))
        print(f"{gw}: {matched} records matched to SIPp's calls; worst duration difference {worst:.1f} ms")
        c.check(f"{gw}: every SIPp call ({TOTAL}) has its record", matched == TOTAL and not bad["no record"],
                (matched, bad["no record"][:5]))
        for what in ("SIP status", "cause", "duration", "unanswered with an answer"):
            c.check(f"{gw}: {what} of every record as SIPp saw it" +
                    (f" (within {TOLERANCE_MS} ms)" if what == "duration" else ""), not bad[what], bad[what][:5])
finally:
    for _, p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    if a:
        a.cleanup()
    b.cleanup()
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(traces, ignore_errors=True)
c.finish()

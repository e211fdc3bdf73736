"""Call detail records against what SIPp AND isup-peer saw (issue 17, Must show line 1): a mix of calls from
SIPp UACs -> gateway A -> ISUP over M3UA/TCP -> isup-peer --exchange, the far exchange, which treats each call
by its called-number prefix (--call) and logs each call's ISUP side (--call-log). Eight kinds, one SIPp UAC
each, at the same time: answered and cleared by the caller (BYE), answered and cleared by the callee (the
exchange's REL cause 16), each from a plain SIP trunk and from a SIP-I trunk (A encapsulates the ISUP in what it
sends to that UAC; SIPp's INVITE stays plain SIP: SIPp cannot send the ISUP body's NUL octets), busy (REL cause
17 after the ACM, and without an ACM), no answer (ACM, REL cause 19 one second later), CANCEL while ringing.

Two oracles judge A's records, neither of them A: SIPp's message traces (-trace_msg), per Call-ID -- the final
status the UAC received, the Reason cause (RFC 3326) when SIPp received one, the duration (200 -> BYE) within
20 ms -- and isup-peer's call log, matched by CIC and IAM time -- the REL's cause, which side sent the REL, the
duration ANM -> REL within 20 ms, answered or not, the called number. Exactly one record per SIPp call and
one per call the exchange logged, none extra.

CDR_MATCH_CALLS sets the number of calls (default 400, 50 per kind; scripts/cdr-match runs 10,000);
CDR_MATCH_RATE the calls/s of each UAC (default 10)."""
import collections
import os
import re
import shutil
import subprocess
import tempfile
import time

from calltest import SIPP, SCEN, free_port, sip_port, circuits_idle
from cdrmatch import circuits_reset, epoch_ms, observed, parse_trace, read_jsonl
from harness import BIN, Checks, Daemon, _bound_ports, wait_port, wait_until

CALLS = int(os.environ.get("CDR_MATCH_CALLS", "400"))
RATE = int(os.environ.get("CDR_MATCH_RATE", "10"))
TOLERANCE_MS = 20
PEER = os.path.join(os.path.dirname(BIN), "isup-peer")
SIPI_SOURCE = "127.0.0.71"  # the SIP-I trunk's UACs (A picks the ingress trunk by source address)

# kind, SIP-I trunk, UAC scenario, UAC's final status, isup-peer's behaviour (tools/isup-peer/README.md),
# the side whose REL ends the call at the exchange ("far": A's, after the UAC's BYE or CANCEL; "peer": its own)
KINDS = [
    ("answered, caller BYE", False, "sn:uac", 200, "answer=50", "far"),
    ("answered, caller BYE, SIP-I", True, "sn:uac", 200, "answer=50", "far"),
    ("answered, callee release", False, "uac_wait_bye.xml", 200, "answer=50,release=300,cause=16", "peer"),
    ("answered, callee release, SIP-I", True, "uac_wait_bye.xml", 200, "answer=50,release=300,cause=16", "peer"),
    ("busy after ACM", False, "uac_486.xml", 486, "release=0,cause=17", "peer"),
    ("busy, no ACM", False, "uac_486.xml", 486, "acm=0,release=0,cause=17", "peer"),
    ("no answer", False, "uac_expect.xml", 480, "release=1000,cause=19", "peer"),  # 19 -> 480 (Q.1912.5)
    ("CANCEL while ringing", False, "uac_cancel.xml", 487, "", "far"),
]
COUNTS = [CALLS // len(KINDS) + (1 if i < CALLS % len(KINDS) else 0) for i in range(len(KINDS))]
TOTAL = sum(COUNTS)

work = tempfile.mkdtemp(prefix="isupgw-cdr-peer-")
# SIPp's traces and the exchange's log in memory where there is a tmpfs (the oracles' timestamps unshifted
# by the disk's writeback).
traces = tempfile.mkdtemp(prefix="isupgw-cdr-peer-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
LOG = "logging: {level: notice, subsystems: {core: info, sip: info, m3ua: info}}\n" \
      "management: {listen: {address: 127.0.0.1, port: 0}}"

A = f"""
node: {{name: gw-a}}
{LOG}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks:
    - {{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.1/32"]}}
    - {{name: callers-sipi, address: {SIPI_SOURCE}, allowed_sources: ["{SIPI_SOURCE}/32"], profile: sip_i}}
ss7:
  point_code_format: itu
  m3ua_links: [{{name: to-peer, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: @PORT@}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-peer]}}]
  trunk_groups: [{{name: a-x, opc: 0-0-1, dpc: 0-0-2, cics: ["1-255"]}}]
routes:
  - {{prefix: "", from: callers, targets: [{{trunk_group: a-x}}]}}
  - {{prefix: "", from: callers-sipi, targets: [{{trunk_group: a-x}}]}}
cdr: {{directory: {work}/a, sync_interval_ms: 200}}
"""


def scen_args(scen):
    if scen.startswith("sn:"):
        return ["-sn", scen[3:]]
    path = os.path.abspath(os.path.join(SCEN, scen))
    text = open(path).read()
    if "@STATUS@" in text:
        path = os.path.join(work, scen)
        with open(path, "w") as f:
            f.write(text.replace("@STATUS@", "480"))
    return ["-sf", path]


def sipp(scen, source, port, calls, trace, extra):
    timeout = str(int(calls / RATE) + 60)
    argv = [SIPP] + scen_args(scen) + ["-i", source, "-p", str(port), "-nostdin", "-m", str(calls),
                                       "-timeout", timeout, "-timeout_error", "-max_recv_loops", "1000",
                                       "-trace_msg", "-message_file", trace] + list(extra)
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=work)


def isup_in_answers(path):
    """Call-IDs whose 200 to the INVITE, as the UAC received it, carried an ISUP body (the ANM, Q.1912.5)."""
    out = set()
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        blocks = re.split(r"^(?=-{20,} \d{4}-)", f.read(), flags=re.M)
    for b in blocks:
        low = b.lower()
        if " received " in b and "\nsip/2.0 200" in low and re.search(r"^cseq:\s*\d+ invite", low, re.M) and \
                "application/isup" in low:
            m = re.search(r"^call-id:\s*(\S+)", b, re.M | re.I)
            if m:
                out.add(m.group(1))
    return out


c = Checks()
t_start = time.monotonic()
peer_log = os.path.join(traces, "peer.jsonl")
peer_port = free_port()
plan = []
for i, k in enumerate(KINDS):
    plan += ["--call", f"1{i}:{k[4]}"]
peer = subprocess.Popen([PEER, "--exchange", "--m3ua-listen", f"127.0.0.1:{peer_port}", "--opc", "2", "--dpc", "1",
                         "--cics", "1-255", "--reset-on-start", "--call-log", peer_log] + plan,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
a = None
procs = []
try:
    c.check("isup-peer exchange listens", wait_port(peer_port, "tcp"))
    a = Daemon(A.replace("@PORT@", str(peer_port)))
    a_sip = sip_port(a)
    c.check("A's link to isup-peer up, circuits reset both ways", circuits_reset(a), a.lines[-10:])
    uac_traces = []
    t0 = time.monotonic()
    for i, (kind, sip_i, uac_scen, _, _, _) in enumerate(KINDS):
        uac_traces.append(os.path.join(traces, f"uac{i}.log"))
        extra = ["-s", f"1{i}4930123456", "-r", str(RATE), "-d", "200", f"127.0.0.1:{a_sip}"]
        source = SIPI_SOURCE if sip_i else "127.0.0.1"
        for _ in range(5):  # a port free a moment ago may be taken by then (other tests): another one
            port = free_port()
            p = sipp(uac_scen, source, port, COUNTS[i], uac_traces[-1], extra)
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
        c.check(f"SIPp {name}: {COUNTS[n]} calls, all as scripted", rc == 0, (rc, p.stderr.read()[-400:]))
    took = time.monotonic() - t0
    print(f"{TOTAL} calls in {took:.1f} s ({time.monotonic() - t_start:.1f} s since the exchange started)")
    # A idle: every record written (the last ones wait for their RLC); then the exchange writes what is open.
    rc, _ = a.stop(timeout=20)
    c.check("A stops cleanly", rc == 0, rc)
    ok, lines = circuits_idle(a)
    c.check("A: every circuit idle at stop", ok, lines)
    peer.terminate()
    out, err = peer.communicate(timeout=20)
    c.check("isup-peer exits on SIGTERM", peer.returncode == 0, (peer.returncode, out, err[-400:]))

    uac_calls = [parse_trace(t) for t in uac_traces]
    for i, (kind, sip_i, _, status, _, _) in enumerate(KINDS):
        if status != 200:
            continue
        with_isup = isup_in_answers(uac_traces[i])
        c.check(f"{kind}: " + ("every 200 carries the ANM (SIP-I trunk)" if sip_i else "no 200 carries ISUP"),
                with_isup == set(uac_calls[i]) if sip_i else not with_isup, (len(with_isup), len(uac_calls[i])))
    logged = read_jsonl(peer_log)
    recs = read_jsonl(os.path.join(work, "a", "cdr.jsonl"))
    with open(os.path.join(work, "a", "cdr.csv"), encoding="utf-8") as f:
        csv_lines = f.read().splitlines()
    sipp_calls = sum(len(calls) for calls in uac_calls)
    print(f"SIPp calls {sipp_calls}, A's records {len(recs)}, calls isup-peer logged {len(logged)}")
    c.check(f"SIPp placed {TOTAL} calls", sipp_calls == TOTAL, sipp_calls)
    c.check(f"A: exactly {TOTAL} JSON records and {TOTAL} CSV records", len(recs) == TOTAL and
            len(csv_lines) == TOTAL + 1, (len(recs), len(csv_lines) - 1))
    c.check(f"isup-peer logged exactly {TOTAL} calls, each ended by its RLC",
            len(logged) == TOTAL and all(j["rlc"] is not None for j in logged),
            (len(logged), [j for j in logged if j["rlc"] is None][:3]))
    by_call_id = collections.Counter(r["sip_call_id"] for r in recs)
    c.check("A: one record per SIP Call-ID", all(n == 1 for n in by_call_id.values()),
            [k for k, n in by_call_id.items() if n > 1][:5])

    # A's record <-> isup-peer's call: the same CIC and called number, the IAM received nearest to the record's
    # IAM sent (a CIC is seized again only after the RLC, so its calls' IAMs are apart by a call at least).
    by_key = collections.defaultdict(list)
    for j in logged:
        by_key[(j["cic"], j["called"])].append(j)
    used = set()
    peer_of = {}
    for r in recs:
        setup = epoch_ms(r.get("setup"))
        key = (int(r.get("cic") or -1), "".join(ch for ch in (r.get("called_out") or "") if ch.isdigit()))
        cands = [j for j in by_key.get(key, []) if id(j) not in used and setup is not None]
        if not cands:
            continue
        best = min(cands, key=lambda j: abs(j["iam"] - setup))
        if abs(best["iam"] - setup) <= 1000:
            used.add(id(best))
            peer_of[r["sip_call_id"]] = best
    rec_of = {r["sip_call_id"]: r for r in recs}

    bad = collections.defaultdict(list)
    worst_sipp = worst_peer = 0
    matched = 0
    for i, calls in enumerate(uac_calls):
        kind, _, _, status, behaviour, side = KINDS[i]
        for call_id, msgs in calls.items():
            r = rec_of.get(call_id)
            if r is None:
                bad["no record"].append((kind, call_id))
                continue
            matched += 1
            final, answered, released, causes = observed(msgs, "uac")
            # SIPp's view.
            if r.get("sip_status") != final or final != status:
                bad["SIP status"].append((kind, call_id, r.get("sip_status"), final))
            if causes and r.get("cause") != causes[0]:
                bad["cause SIPp received"].append((kind, call_id, r.get("cause"), causes[0]))
            if answered is not None and released is not None:
                seen_ms = (released - answered) * 1000.0
                diff = abs(r.get("duration_ms", 0) - seen_ms)
                worst_sipp = max(worst_sipp, diff)
                if diff > TOLERANCE_MS:
                    bad["duration (SIPp)"].append((kind, call_id, r.get("duration_ms"), round(seen_ms, 1)))
            elif r.get("answer") or r.get("duration_ms", 0) != 0:
                bad["unanswered with an answer"].append((kind, call_id, r.get("answer")))
            # isup-peer's view.
            j = peer_of.get(call_id)
            if j is None:
                bad["no call in isup-peer's log"].append((kind, call_id, r.get("cic"), r.get("setup")))
                continue
            if j["called"] != "".join(ch for ch in r.get("called_out", "") if ch.isdigit()) or \
                    not j["called"].startswith(f"1{i}"):
                bad["called number"].append((kind, call_id, r.get("called_out"), j["called"]))
            if r.get("cause") != j["cause"]:
                bad["cause isup-peer saw"].append((kind, call_id, r.get("cause"), j["cause"]))
            want_rec_side = "isup" if side == "peer" else "sip"
            if j["released_by"] != side or r.get("released_by") != want_rec_side:
                bad["release side"].append((kind, call_id, r.get("released_by"), j["released_by"]))
            if (j["anm"] is not None) != bool(r.get("answer")):
                bad["answered"].append((kind, call_id, r.get("answer"), j["anm"]))
            elif j["anm"] is not None:
                diff = abs(r.get("duration_ms", 0) - (j["rel"] - j["anm"]))
                worst_peer = max(worst_peer, diff)
                if diff > TOLERANCE_MS:
                    bad["duration (isup-peer)"].append((kind, call_id, r.get("duration_ms"), j["rel"] - j["anm"]))
    causes = collections.Counter((KINDS[int(j["called"][1])][0], j["cause"], j["released_by"]) for j in logged
                                 if j["called"][:1] == "1" and j["called"][1:2].isdigit()
                                 and int(j["called"][1]) < len(KINDS))
    print("isup-peer's calls (kind, cause, released by):", dict(causes))
    print(f"A: {matched} records matched to SIPp's calls, {len(peer_of)} to isup-peer's; worst duration "
          f"difference {worst_sipp:.1f} ms (SIPp), {worst_peer:.1f} ms (isup-peer)")
    c.check(f"A: every SIPp call ({TOTAL}) has its record", matched == TOTAL and not bad["no record"],
            (matched, bad["no record"][:5]))
    c.check(f"A: every record is one call isup-peer logged ({TOTAL})", len(peer_of) == TOTAL and
            not bad["no call in isup-peer's log"], (len(peer_of), bad["no call in isup-peer's log"][:5]))
    for what in ("SIP status", "cause SIPp received", "duration (SIPp)", "unanswered with an answer",
                 "called number", "cause isup-peer saw", "release side", "answered", "duration (isup-peer)"):
        c.check(f"A: {what} of every record" + (f" (within {TOLERANCE_MS} ms)" if what.startswith("duration") else ""),
                not bad[what], bad[what][:5])
finally:
    for _, p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    if a:
        a.cleanup()
    if peer.poll() is None:
        peer.kill()
        peer.wait()
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(traces, ignore_errors=True)
c.finish()

"""What the CDR-matching tests share (test_cdr_match.py: the tandem; test_cdr_match_peer.py: isup-peer as the far
end): SIPp's message traces read per Call-ID, the gateways' circuit resets awaited, CDR files read."""
import collections
import datetime
import json
import os
import re
import urllib.request

from harness import wait_until

STAMP = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d) (\d\d):(\d\d):(\d\d\.\d+)$")


def parse_trace(path):
    """Call-ID -> list of (seconds, 'sent'|'received', start line, CSeq method, Reason cause or None)."""
    calls = collections.defaultdict(list)
    if not os.path.exists(path):
        return calls
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    blocks = re.split(r"^(?=-{20,} \d{4}-)", text, flags=re.M)
    for block in blocks:
        lines = block.split("\n")
        m = STAMP.match(lines[0].rstrip())
        if not m or len(lines) < 4:
            continue
        t = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + float(m.group(4))
        direction = "sent" if " sent " in lines[1] else "received"
        start = lines[3].strip()
        call_id = cseq = None
        cause = None
        for l in lines[4:]:
            low = l.lower()
            if low.startswith("call-id:"):
                call_id = l.split(":", 1)[1].strip()
            elif low.startswith("cseq:"):
                cseq = l.split(":", 1)[1].split()[-1]
            elif low.startswith("reason:") and "q.850" in low:
                mc = re.search(r"cause=(\d+)", l)
                cause = int(mc.group(1)) if mc else None
            elif not l.strip():
                break
        if call_id:
            calls[call_id].append((t, direction, start, cseq, cause))
    return calls


def observed(msgs, side):
    """What one SIPp end saw of one call: final status, answer time, release time, causes received."""
    final, answered, released, causes = None, None, None, []
    for t, direction, start, cseq, cause in msgs:
        is_response = start.startswith("SIP/2.0")
        if is_response and cseq == "INVITE":
            status = int(start.split()[1])
            ours = (side == "uac" and direction == "received") or (side == "uas" and direction == "sent")
            if ours and status >= 200 and final is None:
                final = status
                if status == 200:
                    answered = t
        if not is_response and start.startswith("BYE") and released is None:
            released = t
        if direction == "received" and cause is not None:
            causes.append(cause)
    return final, answered, released, causes


def circuits_reset(d):
    """Every circuit idle once both ends' paced GRSs (Q.764 2.9.3) are out and answered (GET /trunk-groups
    and /counters of the management API; 255 CICs: 8 GRS each way)."""
    line = d.wait_for(r"core management url=(\S+)")
    url = re.search(r"url=(\S+)", line).group(1) if line else None

    def done():
        try:
            with urllib.request.urlopen(url + "/trunk-groups", timeout=5) as r:
                groups = json.load(r)
            with urllib.request.urlopen(url + "/counters", timeout=5) as r:
                n = json.load(r)
        except (OSError, TypeError):
            return False
        resets = all(n.get(k, 0) >= 8 for k in ("isup.tx.GRS", "isup.rx.GRA", "isup.rx.GRS", "isup.tx.GRA"))
        return resets and bool(groups) and all(g["idle"] == g["circuits"] and g["resetting"] == 0 for g in groups)
    return url is not None and wait_until(done, 30) is not None


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def epoch_ms(iso):
    """A CDR time ("YYYY-MM-DDTHH:MM:SS.mmmZ", UTC) as CLOCK_REALTIME ms; None for an empty one."""
    if not iso:
        return None
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return round(t.timestamp() * 1000)

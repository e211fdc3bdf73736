"""The VTY (issue 16) against a running daemon with SIPp calls in flight: libosmovty over telnet, judged by
transcripts (command in, exact text out, as Osmocom's `.vty` tests) and by the peers themselves.

isupgw (SIP on UDP, M3UA IPSP server on TCP) between SIPp (uac_wait_bye.xml: calls held until the far end
clears them) and isup-peer (a scripted exchange). The gateway controls the odd CICs (OPC 100 < DPC 200,
Q.764 2.10.1.4) and hunts them upwards, so its first call takes CIC 1 and, with CIC 3 free, the next would
take CIC 3:
- `show calls` lists the call with both legs (SIP dialog, CIC);
- `block cic tg-peer 3` (after `enable`) sends BLO that isup-peer expects (and answers BLA); the second
  call's IAM arrives on CIC 5, not 3 (isup-peer's `expect IAM cic=5`);
- 1,000 hostile VTY lines (random octets, truncated commands, 64 KiB lines, telnet IAC) on other sessions:
  the daemon stays up, both calls are still listed the same, and SIPp finishes both with 0 failed;
- `release call 1 cause 16`: isup-peer expects REL cause 16 on CIC 1, SIPp gets the BYE; isup-peer clears
  call 2 itself (REL -> BYE);
- `unblock cic` sends UBL, `reset group tg-peer` sends GRS that isup-peer expects (GRS cic=1 range=30);
- `query circuits tg-peer` sends CQM: isup-peer expects it and answers CQR, the VTY shows the table;
- `show circuits`, `show trunks`, `show links`, `show counters` against the state the peers produced;
  `?` lists the show commands, TAB completes, `sho` abbreviates `show`.
The verdicts are SIPp's exit codes, isup-peer's scenario (every message it expected, in order) and the
VTY's text; the gateway's own log is read only to know when to go on (its ports, the circuit reset)."""
import os
import random
import re
import subprocess
import tempfile

from calltest import IsupPeer, free_port, m3ua_port, scenario, sip_port, sipp_args, wait_circuits_reset
from harness import Checks, Daemon, wait_until, isup_peer_ss7
from vty import Vty, match_lines, verify_transcript

GATEWAY = """
logging: {level: info, subsystems: {isup: debug}}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: 0}]
  trunks: [{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}]
""" + isup_peer_ss7("1-31") + """routes: [{prefix: "", from: local, targets: [{trunk_group: tg-peer}]}]
management: {vty: {address: 127.0.0.1, port: 0}}
"""
IDLE = "0c" * 31  # Q.763 3.14: idle, no blocking
PEER = f"""
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
# call 1 (SIPp) on the first odd CIC
expect IAM cic=1
send   ACM cic=1
send   ANM cic=1
# VTY: block cic tg-peer 3
expect BLO cic=3
send   BLA cic=3
# call 2: hunted past the blocked CIC 3
expect IAM cic=5
send   ACM cic=5
send   ANM cic=5
# VTY: release call 1 cause 16
expect REL cic=1 cause=16
send   RLC cic=1
# the exchange clears call 2
send   REL cic=5 cause=16
expect RLC cic=5
# VTY: unblock cic tg-peer 3
expect UBL cic=3
send   UBA cic=3
# VTY: reset group tg-peer
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
# VTY: query circuits tg-peer
expect CQM cic=1 range=30
send   CQR cic=1 range=30 circuit_state_indicator={IDLE}
"""

SHOW_ONE_CALL = """
isupgw> show calls
1 call
Call 1: active, answered, age ... s, called 4930123456
  A: SIP trunk local, Call-ID ..., tags .../..., peer 127.0.0.1:...
  B: ISUP trunk group tg-peer, CIC 1
isupgw> block cic tg-peer 3
% Unknown command.
isupgw> enable
isupgw# block cic tg-peer 3
sent BLO cic=3
"""
SHOW_TWO_CALLS = """
isupgw# show calls
2 calls
Call 1: active, answered, age ... s, called 4930123456
  A: SIP trunk local, Call-ID ..., tags .../..., peer 127.0.0.1:...
  B: ISUP trunk group tg-peer, CIC 1
Call 2: active, answered, age ... s, called 4930123457
  A: SIP trunk local, Call-ID ..., tags .../..., peer 127.0.0.1:...
  B: ISUP trunk group tg-peer, CIC 5
isupgw# show circuits tg-peer
Trunk group tg-peer: 31 circuits
CIC     1: answered, call 1
CIC     2: idle
CIC     3: idle, blocked locally (maintenance)
CIC     4: idle
CIC     5: answered, call 2
...
CIC    31: idle
isupgw# show trunks
SIP trunk local: 127.0.0.1:5060/udp, sip, OPTIONS off, in_service, 2 calls
Trunk group tg-peer: 100 -> 200 itu, in_service, 2 calls, 31 circuits: 28 idle, 2 busy, 1 blocked locally, 0 blocked remotely, 0 resetting, 0 unequipped
isupgw# show links
M3UA link peer: ipsp_server, ready, ASP ..., peer ASP ASP-ACTIVE
  AS routing context 1: ...
"""
AFTER = """
isupgw# unblock cic tg-peer 3
sent UBL cic=3
isupgw# reset group tg-peer
sent GRS cic=1 range=30
isupgw# query circuits tg-peer
Circuit query, trunk group tg-peer: 31 circuits
CIC     1: maintenance unblocked, call idle, hardware unblocked
...
CIC    31: maintenance unblocked, call idle, hardware unblocked
isupgw# show calls
0 calls
isupgw# release call 99 cause 16
% not_found: no call 99
isupgw# trunk nosuch out-of-service
% not_found: no SIP trunk or ISUP trunk group named 'nosuch'
"""


def report(c, name, failures):
    detail = "\n".join(f"  {cmd!r}:\n    expected {exp}\n    got      {got}" for cmd, exp, got in failures)
    c.check(name, not failures, "\n" + detail)


def sipp_call(port, number):
    return subprocess.Popen(sipp_args(scenario("uac_wait_bye.xml"), free_port(), ["-s", number, "-m", "1"]) +
                            [f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=tempfile.gettempdir())


def hostile_lines(rng):
    """1,000 lines an operator would never type: random octets (telnet IAC included), truncated and
    misspelt commands, arguments out of range, 64 KiB lines. None is a whole valid action (no word names a
    trunk group, no call id or cause is in range): a line that did something would be a finding."""
    words = ["show", "calls", "circuits", "block", "cic", "reset", "group", "query", "release", "call", "cause",
             "trunk", "enable", "disable", "tg-nosuch", "99999999999999999999", "-1", "?", "\t", "%s%n", "\x1b[A"]
    out = []
    for i in range(1000):
        kind = i % 4
        if kind == 0:
            out.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
        elif kind == 1:
            out.append(" ".join(rng.choice(words) for _ in range(rng.randrange(1, 8))).encode())
        elif kind == 2:
            out.append(b"show circuits " + b"x" * 65536 if i % 40 == 2 else b"release call 1 cause " + b"9" * 300)
        else:
            # A telnet sub-negotiation never closed (IAC SB without IAC SE) holds the session's input: a few.
            out.append(b"\xff\xfa\x18" + b"A" * 100 if i % 50 == 3 else
                       rng.choice([b"show calls"[:rng.randrange(1, 10)], b"block cic tg-peer", b"reset",
                                   b"release call 1 cause", bytes([255, 251, 1, 255, 253, 3])]))
    return out


c = Checks()
d = Daemon(GATEWAY)
peer = calls = None
try:
    line = d.wait_for(r"core vty_listening address=127.0.0.1 port=(\d+)")
    c.check("start: one line with the VTY port", line is not None, d.lines[-10:])
    vport = int(re.search(r"port=(\d+)", line).group(1)) if line else 9
    peer = IsupPeer(PEER, m3ua_port(d, "peer"), timeout=60)
    sport = sip_port(d)
    c.check("circuits reset by the gateway (GRS/GRA)", wait_circuits_reset(d), d.lines[-10:])

    vty = Vty(vport)
    c.check("telnet: the VTY greets and prompts isupgw>", vty.prompt == "isupgw> ", (vty.banner, vty.prompt))
    help_lines = vty.cmd("show ?")
    c.check("`show ?` lists the show commands", all(any(w in l for l in help_lines) for w in
                                                     ["calls", "circuits", "links", "trunks", "counters"]),
            help_lines)

    calls = [sipp_call(sport, "4930123456")]
    c.check("call 1 answered (show calls)", wait_until(lambda: "answered" in " ".join(vty.cmd("show calls")), 15),
            d.lines[-10:])
    report(c, "transcript: show calls with call 1, block needs enable, block cic sends BLO",
           verify_transcript(vty, SHOW_ONE_CALL))

    calls.append(sipp_call(sport, "4930123457"))
    c.check("call 2 answered (show calls)",
            wait_until(lambda: " ".join(vty.cmd("show calls")).count("answered") == 2, 15), d.lines[-10:])
    report(c, "transcript: two calls, both legs; circuits; trunks; links", verify_transcript(vty, SHOW_TWO_CALLS))
    before = vty.cmd("show calls")
    # libosmovty's completion and abbreviations: TAB completes "cal" to "calls", "sho" stands for "show".
    c.check("TAB completes `show cal` and runs it", "2 calls" in vty.cmd("show cal\t"))
    short = vty.cmd("sho calls")
    c.check("`sho calls` is `show calls` (after enable `sh` is ambiguous: shutdown)", short[:1] == ["2 calls"], short)
    print("\n".join(["isupgw# show calls"] + before))

    # Hostile input on sessions of its own while both calls are up.
    rng = random.Random(16)
    outcomes = {"prompt": 0, "closed": 0, "silent": 0}
    h = None
    for l in hostile_lines(rng):
        if h is None:
            h = Vty(vport)
            h.cmd("enable")
        o = h.try_line(l, 0.25)
        outcomes[o] += 1
        if o != "prompt":
            h.close()
            h = None
    if h:
        h.close()
    print(f"hostile: {outcomes}")
    c.check("hostile: 1,000 lines, each answered with a prompt or the session closed by the VTY",
            sum(outcomes.values()) == 1000, outcomes)
    c.check("hostile: the daemon is still running", d.proc.poll() is None, d.lines[-10:])
    vty2 = Vty(vport)
    after = [re.sub(r"age \d+ s", "age N s", l) for l in vty2.cmd("show calls")]
    c.check("hostile: both calls listed as before (a new session)",
            after == [re.sub(r"age \d+ s", "age N s", l) for l in before], (before, after))
    vty2.close()
    c.check("hostile: the first session still answers", match_lines(["2 calls", "..."], vty.cmd("show calls")))

    out = vty.cmd("release call 1 cause 16")
    c.check("release call 1 cause 16: accepted", out == ["call 1 released with cause 16"], out)
    rc = [p.wait(30) for p in calls]
    errs = [p.stderr.read() for p in calls]
    c.check("SIPp: both calls completed (BYE from the gateway), 0 failed", rc == [0, 0], (rc, [e[-300:] for e in errs]))
    report(c, "transcript: unblock, reset group (GRS), query circuits (CQM/CQR), errors", verify_transcript(vty, AFTER))
    c.check("isup-peer: BLO on CIC 3, call 2 on CIC 5, REL cause 16, UBL, GRS, CQM: every expected message",
            peer.join(30), peer.output())
    counters = vty.cmd("show counters")
    c.check("show counters: name value lines", counters and all(re.match(r"^\S+ \d+$", l) for l in counters),
            counters[:5])
    # A second daemon on the same VTY port cannot start: exit 1, saying so.
    d2 = Daemon(GATEWAY.replace("vty: {address: 127.0.0.1, port: 0}", f"vty: {{address: 127.0.0.1, port: {vport}}}"))
    try:
        rc2 = d2.proc.wait(10)
    except subprocess.TimeoutExpired:
        rc2 = None
    d2.stop()
    c.check("VTY port taken: the start fails, exit 1, vty_listen_failed naming the port",
            rc2 == 1 and any("vty_listen_failed" in l and f"port={vport}" in l for l in d2.lines), (rc2, d2.lines[-3:]))
    d2.cleanup()
    vty.send_raw(b"exit\r")
    vty.close()
    rc, _ = d.stop()
    c.check("gateway stops cleanly with the VTY running", rc == 0, (rc, d.lines[-10:]))
finally:
    for p in calls or []:
        if p.poll() is None:
            p.kill()
    if peer:
        peer.join(5)
        peer.cleanup()
    d.cleanup()
c.finish()

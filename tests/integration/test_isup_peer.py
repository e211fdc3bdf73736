"""isup-peer, the scriptable ISUP exchange: its sample scenarios pass against
isupgw's call control over the in-process loopback and over real M3UA/TCP on
loopback (isup-peer --exchange, i.e. IsupCallControl behind sigtran's MTP3
service), and a failing scenario is reported as such.

The exchange's per-call behaviours (--call PREFIX:SPEC, --calls FILE) and its call log (--call-log): a scenario
(the scripted side, judging the exchange's messages, their order and causes) places one call of each behaviour;
the log then holds one line per call with the times, cause and releasing side the scenario's own steps imply."""
import json
import os
import shutil
import socket
import subprocess
import tempfile

from harness import BIN, SRC, Checks, run, wait_port

c = Checks()
PEER = os.path.join(os.path.dirname(BIN), "isup-peer")
SCEN = os.path.join(SRC, "tools", "isup-peer", "scenarios")
scenarios = sorted(os.path.join(SCEN, f) for f in os.listdir(SCEN) if f.endswith(".txt"))

r = run([PEER, "--loopback"] + scenarios)
c.check("loopback scenarios", r.returncode == 0 and f"{len(scenarios)} passed, 0 failed" in r.stdout,
        r.stdout + r.stderr)

with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    f.write("send IAM cic=2\nexpect ANM cic=2 timeout=2s\n")
    bad = f.name
r = run([PEER, bad])
c.check("mismatch fails", r.returncode == 1 and "expected ANM, received ACM cic 2" in r.stdout, r.stdout)
os.unlink(bad)

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
exchange = subprocess.Popen([PEER, "--exchange", "--m3ua-listen", f"127.0.0.1:{port}", "--opc", "100", "--dpc", "200",
                             "--duration", "30"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
c.check("isup-peer exchange listens for M3UA", wait_port(port, "tcp"))
r = run([PEER, "--m3ua-connect", f"127.0.0.1:{port}", "--opc", "200", "--dpc", "100", "--timeout", "20"] + scenarios)
c.check("M3UA/TCP scenarios", r.returncode == 0 and f"{len(scenarios)} passed, 0 failed" in r.stdout,
        r.stdout + r.stderr)
exchange.terminate()
exchange.wait(timeout=10)

# Behaviours by called-number prefix, and the call log.
work = tempfile.mkdtemp(prefix="isup-peer-")
calls_file = os.path.join(work, "calls.txt")
with open(calls_file, "w") as f:
    f.write("# prefix:spec\n12:answer=100,release=300,cause=16   # callee release\n"
            "14:release=0,cause=17\n15:acm=0,release=0,cause=17\n")
scenario = os.path.join(work, "plan.txt")
with open(scenario, "w") as f:
    f.write("""send IAM cic=2 called=1049301F calling=5550001
expect ACM cic=2 timeout=5s
expect ANM cic=2 timeout=5s
wait 200ms
send REL cic=2 cause=16
expect RLC cic=2
send IAM cic=3 called=1249301F calling=5550002
expect ACM cic=3
expect ANM cic=3
expect REL cic=3 cause=16
send RLC cic=3
send IAM cic=4 called=1449301F
expect ACM cic=4
expect REL cic=4 cause=17
send RLC cic=4
send IAM cic=5 called=1549301F
expect REL cic=5 cause=17
send RLC cic=5
send IAM cic=6 called=1649301F
expect ACM cic=6
expect REL cic=6 cause=19 timeout=5s
send RLC cic=6
send IAM cic=8 called=1849301F
expect ACM cic=8
expect CPG cic=8 event=1
expect ANM cic=8
expect REL cic=8 cause=31
send RLC cic=8
send IAM cic=7 called=1749301F
expect ACM cic=7
wait 100ms
send REL cic=7 cause=16
expect RLC cic=7
""")
log = os.path.join(work, "calls.jsonl")
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
exchange = subprocess.Popen([PEER, "--exchange", "--m3ua-listen", f"127.0.0.1:{port}", "--opc", "100", "--dpc", "200",
                             "--duration", "60", "--call", "10:answer=100", "--calls", calls_file,
                             "--call", "16:release=500,cause=19", "--call", "17:", "--call", "18:cpg=50,answer=100,release=100,cause=31",
                             "--call-log", log],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
c.check("isup-peer exchange with a call plan listens", wait_port(port, "tcp"))
r = run([PEER, "--m3ua-connect", f"127.0.0.1:{port}", "--opc", "200", "--dpc", "100", "--timeout", "30", scenario])
c.check("each prefix's behaviour: the scripted side's expectations met", r.returncode == 0 and
        "1 passed, 0 failed" in r.stdout, r.stdout + r.stderr)
exchange.terminate()
out, _ = exchange.communicate(timeout=10)
c.check("the exchange exits on SIGTERM and counts the calls logged", "exchange: 7 calls logged" in out, out)
with open(log) as f:
    calls = {j["cic"]: j for j in map(json.loads, f)}
c.check("one log line per call", sorted(calls) == [2, 3, 4, 5, 6, 7, 8], sorted(calls))


def near(a, b, ms, slack=1000):
    """b - a is ms: never less (5 ms for the log's ms rounding), at most `slack` more (real-time timers on a
    loaded machine: a stall delays, never advances them)."""
    return a is not None and b is not None and ms - 5 <= b - a <= ms + slack


# Each call: (called, calling, ACM sent, ANM sent, cause, released by) and the gaps the behaviour sets.
want = {2: ("1049301", "5550001", True, True, 16, "far"), 3: ("1249301", "5550002", True, True, 16, "peer"),
        4: ("1449301", "", True, False, 17, "peer"), 5: ("1549301", "", False, False, 17, "peer"),
        6: ("1649301", "", True, False, 19, "peer"), 7: ("1749301", "", True, False, 16, "far"),
        8: ("1849301", "", True, True, 31, "peer")}
for cic, (called, calling, acm, anm, cause, side) in want.items():
    j = calls.get(cic, {})
    got = (j.get("called"), j.get("calling"), j.get("acm") is not None, j.get("anm") is not None, j.get("cause"),
           j.get("released_by"))
    c.check(f"CIC {cic} logged: numbers, ACM/ANM sent, cause, side", got == (called, calling, acm, anm, cause, side),
            (got, j))
    c.check(f"CIC {cic}: IAM <= ACM/ANM <= REL <= RLC",
            all(j.get(k) is not None for k in ("iam", "rel", "rlc")) and
            j["iam"] <= (j.get("acm") or j["iam"]) <= (j.get("anm") or j["rel"]) <= j["rel"] <= j["rlc"], j)


def at(cic, key):
    """A time of CIC's logged call; None when the call or the time is missing (the checks then fail, naming it)."""
    return calls.get(cic, {}).get(key)


c.check("answer 100 ms after the ACM (CIC 2, 3)", near(at(2, "acm"), at(2, "anm"), 100) and
        near(at(3, "acm"), at(3, "anm"), 100), (calls.get(2), calls.get(3)))
c.check("callee release 300 ms after the ANM (CIC 3)", near(at(3, "anm"), at(3, "rel"), 300), calls.get(3))
c.check("the far end's REL 200 ms after the ANM (CIC 2)", near(at(2, "anm"), at(2, "rel"), 200), calls.get(2))
c.check("CPG 50 ms after the ACM, ANM at 100 ms, REL 100 ms after it (CIC 8)",
        near(at(8, "acm"), at(8, "cpg"), 50) and near(at(8, "acm"), at(8, "anm"), 100) and
        near(at(8, "anm"), at(8, "rel"), 100), calls.get(8))
c.check("no CPG where the behaviour sends none", all(at(k, "cpg") is None for k in (2, 3, 4, 5, 6, 7)), calls)
c.check("no answer: REL 500 ms after the ACM (CIC 6)", near(at(6, "acm"), at(6, "rel"), 500), calls.get(6))

r = run([PEER, "--exchange", "--m3ua-listen", "127.0.0.1:1", "--call", "1:answer=x"])
c.check("a bad --call is refused", r.returncode == 2 and "--call: answer: 'x' is not a number" in r.stderr, r.stderr)
with open(calls_file, "a") as f:
    f.write("18:cause=200\n")
r = run([PEER, "--exchange", "--m3ua-listen", "127.0.0.1:1", "--calls", calls_file])
c.check("a bad --calls line is refused with FILE:LINE", r.returncode == 2 and f"{calls_file}:5: bad cause=200" in r.stderr,
        r.stderr)
shutil.rmtree(work, ignore_errors=True)

c.finish()

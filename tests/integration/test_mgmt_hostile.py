"""Hostile management input (issue 16): 1,000 random, truncated and oversized
requests to the REST API -- random octets, valid requests cut anywhere, header
blocks beyond 8 KiB, 100 header fields, bodies beyond 64 KiB (announced and
sent), broken JSON and wrong types on the action routes, bad percent-encoding,
unknown paths and methods, no or a wrong token -- while SIPp calls are in flight.
The daemon answers each with a 4xx or closes the connection (never a 2xx
without the token, never a 5xx), stays up and serves the right token; the
calls in flight are untouched: SIPp reports every call successful, nothing
was blocked, every circuit is idle at stop. The action routes refuse a body
member they do not know (a misspelt key must not widen an action)."""
import csv
import os
import random
import socket
import subprocess
import tempfile

from calltest import circuits_idle, free_port, sip_port, sipp_args, wait_circuits_reset
from harness import Checks, Daemon, sim_exchange_gateway, wait_until
from mgmtapi import api_url, request, token_file

N = 1000
CALLS = 20
TOKEN = "hostile-token-0123456789abcdef"
tok = token_file(TOKEN)
SIM_PORT = free_port()
GW = sim_exchange_gateway(SIM_PORT, ring_ms=100, extra=f"""
management:
  listen: {{address: 127.0.0.1, port: 0}}
  token_file: {tok}
""")
rng = random.Random(16)
PATHS = ["/calls", "/trunk-groups", "/trunk-groups/exchange/circuits", "/metrics", "/counters", "/sip-trunks",
         "/trunk-groups/exchange/block", "/trunk-groups/exchange/reset", "/calls/1/release", "/reload", "/nope",
         "/trunk-groups/%zz/circuits", "/" + "a" * 3000]
ACTIONS = ["/trunk-groups/exchange/block", "/trunk-groups/exchange/unblock", "/trunk-groups/exchange/reset",
           "/trunk-groups/exchange/service", "/sip-trunks/local/service", "/calls/1/release"]
BAD_JSON = ['{"cic": 5', '{"cic": "5"}', '{"cic": 99999}', '[1,2]', '{"last": 3}', '{"cic": 5, "all": true}', '{"in_service": false, "x": 1}', '{"in_service": "no"}',
            '{"cause": 0}', 'nul', '{"cic": 1e400}', '{' * 5000, '"' + "\\u" * 100, '{"cic": -1}', '{"first": 1.5}']


def auth(kind):
    return {"none": b"", "wrong": b"Authorization: Bearer wrong-token-0123456789\r\n",
            "basic": b"Authorization: Basic dXNlcjpwYXNz\r\n",
            "right": b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"}[kind]


def hostile(i):
    """(octets, whether it carries the right token)."""
    kind = i % 8
    a = rng.choice(["none", "wrong", "basic"])
    path = rng.choice(PATHS).encode()
    if kind == 0:  # random octets
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 2000))), False
    if kind == 1:  # a valid request cut anywhere
        req = b"POST /trunk-groups/exchange/block HTTP/1.1\r\nHost: x\r\n" + auth("right") + \
            b"Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"cic\": 5}"
        return req[:rng.randint(0, len(req) - 1)], True
    if kind == 2:  # header block beyond 8 KiB
        return b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * rng.randint(9000, 40000) + b"\r\n\r\n", False
    if kind == 3:  # too many header fields
        return b"GET /calls HTTP/1.1\r\nHost: x\r\n" + auth(a) + b"".join(b"X-%d: 1\r\n" % k for k in range(100)) + \
            b"\r\n", False
    if kind == 4:  # a body beyond 64 KiB, announced and sent
        n = rng.randint(70000, 200000)
        return b"POST /reload HTTP/1.1\r\nHost: x\r\n" + auth("right") + b"Content-Length: %d\r\n\r\n" % n + b"{" * n, True
    if kind == 5:  # broken JSON / wrong types on the action routes, with the right token
        body = rng.choice(BAD_JSON).encode()
        return (b"POST " + rng.choice(ACTIONS).encode() + b" HTTP/1.1\r\nHost: x\r\n" + auth("right") +
                b"Content-Length: %d\r\n\r\n" % len(body) + body), True
    if kind == 6:  # no or a wrong token, any method and path
        m = rng.choice([b"GET", b"POST", b"DELETE", b"PUT", b"BREW", b"G\x00T"])
        return m + b" " + path + b" HTTP/1.1\r\nHost: x\r\n" + auth(a) + b"Content-Length: 0\r\n\r\n", False
    # kind 7: request lines and framing that are wrong
    return rng.choice([b"GET /calls HTTP/9.9\r\n\r\n", b"GET\r\n\r\n", b"GET /calls HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                       b"GET /calls HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                       b"GET /calls HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
                       b"\r\n\r\n\r\n", b"GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n",
                       b"GET /calls?%%%% HTTP/1.1\r\nHost: x\r\n" + auth("wrong") + b"\r\n"]), False


def send(host, port, data):
    """The status code the server answered, or None when it closed without one."""
    s = socket.create_connection((host, port), timeout=5)
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server closed first (a bound was crossed): it may still have answered
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            got += chunk
        if got.startswith(b"HTTP/1.1 "):
            return int(got[9:12])
        return None
    finally:
        s.close()


c = Checks()
d = Daemon(GW)
work = tempfile.mkdtemp(prefix="isupgw-hostile-")
sipp = None
try:
    url = api_url(d)
    c.check("management url logged", url is not None, d.lines[-10:])
    host, port = url[len("http://"):].rsplit(":", 1)
    port = int(port)
    sport = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    stf = os.path.join(work, "sipp.csv")
    # Calls in flight for the whole barrage: 20 calls, 10 per second, each held 4 s.
    sipp = subprocess.Popen(sipp_args("sn:uac", free_port(), ["-s", "4930123456", "-m", str(CALLS), "-r", "10",
                                                             "-d", "4000", "-trace_stat", "-stf", stf, "-fd", "1"]) +
                            [f"127.0.0.1:{sport}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=work)
    in_flight = wait_until(lambda: [x for x in request(url + "/calls", token=TOKEN)[1] if x["answered"]], 10)
    c.check("calls answered and in flight before the barrage", bool(in_flight))
    statuses = {}
    bad = []
    for i in range(N):
        data, authorized = hostile(i)
        st = send(host, port, data)
        statuses[st] = statuses.get(st, 0) + 1
        if st is not None and (st >= 500 or (200 <= st < 300)):
            bad.append((i, st, data[:120]))
    st, calls = request(url + "/calls", token=TOKEN)
    c.check("calls still in flight after it", st == 200 and any(x["answered"] for x in calls), len(calls))
    print("answers by status:", sorted(statuses.items(), key=lambda kv: str(kv[0])))
    c.check(f"{N} hostile requests: no 2xx, no 5xx (4xx or closed)", not bad, bad[:10])
    c.check("oversized ones: 413 and 431 seen", statuses.get(413, 0) > 0 and statuses.get(431, 0) > 0, statuses)
    c.check("no or a wrong token: 401 seen", statuses.get(401, 0) > 0, statuses)
    c.check("daemon still running", d.proc.poll() is None)
    st, body = request(url + "/calls", token="wrong-token-0123456789")
    c.check("a wrong token gets 401", st == 401, (st, body))
    st, groups = request(url + "/trunk-groups", token=TOKEN)
    c.check("the right token is served: the group in service, nothing blocked",
            st == 200 and groups[0]["admin"] == "in_service" and groups[0]["local_blocked"] == 0, (st, groups))
    try:
        rc = sipp.wait(60)
    except subprocess.TimeoutExpired:
        sipp.kill()
        rc = None
    with open(stf) as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    ok = int(rows[-1]["SuccessfulCall(C)"]) if rows else -1
    failed = int(rows[-1]["FailedCall(C)"]) if rows else -1
    c.check(f"calls in flight untouched: SIPp {CALLS}/{CALLS} successful, 0 failed",
            rc == 0 and ok == CALLS and failed == 0, (rc, ok, failed, sipp.stderr.read()[-400:]))
    st, counters = request(url + "/counters", token=TOKEN)
    c.check("the gateway counted them (mgmt.http.bad_requests, unauthorized)",
            counters.get("mgmt.http.bad_requests", 0) > 0 and counters.get("mgmt.http.unauthorized", 0) > 0,
            {k: v for k, v in counters.items() if k.startswith("mgmt.")})
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    okc, lines = circuits_idle(d)
    c.check("every circuit idle at stop", okc, lines)
finally:
    if sipp and sipp.poll() is None:
        sipp.kill()
    d.cleanup()
    os.unlink(tok)
    subprocess.run(["rm", "-rf", work])
c.finish()

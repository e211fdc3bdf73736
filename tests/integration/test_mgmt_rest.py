"""The management REST API (issue 16) against a running daemon with SIPp calls
in flight and isup-peer as the far exchange; every verdict is the peers':

- GET /calls (and `isupgw ctl show calls`) lists the two established calls with
  both legs: the SIP dialog and the trunk group and CIC isup-peer got the IAM on;
- `ctl block tg-peer 5` sends BLO that isup-peer expects (cic=5), and the next
  call is hunted past CIC 5: isup-peer expects its IAM on CIC 7;
- `ctl sip-trunk local out 30` (drain): SIPp's next INVITE is answered 503 with
  "Retry-After: 30" (SIPp checks the header) and reaches no circuit (isup-peer's
  script has no IAM for it), while the three established calls run to their end
  (each SIPp UAC ends with its BYE answered: 1 successful call each, exit 0);
- `ctl reset tg-peer` sends GRS that isup-peer expects (cic=1 range=7);
- a wrong or missing token gets 401.
isup-peer's closing circuit query shows every CIC idle."""
import json
import os
import subprocess
import tempfile

from calltest import IsupPeer, free_port, m3ua_port, sip_port, sipp_args, wait_circuits_reset
from harness import BIN, SRC, Checks, Daemon, run, wait_until, isup_peer_ss7
from mgmtapi import api_url, request, token_file

TOKEN = "test-token-0123456789abcdef"
tok = token_file(TOKEN)
GW = f"""
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
{isup_peer_ss7('1-8')}routes: [{{prefix: "", from: local, targets: [{{trunk_group: tg-peer}}]}}]
management:
  listen: {{address: 127.0.0.1, port: 0}}
  token_file: {tok}
"""
# We (100) control the odd CICs (Q.764 2.10.1.4: the higher point code controls
# the even ones) and hunt them upwards: 1, 3, then 5 -- blocked -- so 7.
SCRIPT = """
expect GRS cic=1 range=7
send   GRA cic=1 range=7 status=00
expect IAM cic=1 timeout=20s
send   ACM cic=1
send   ANM cic=1
expect IAM cic=3 timeout=20s
send   ACM cic=3
send   ANM cic=3
expect BLO cic=5 timeout=20s
send   BLA cic=5
expect IAM cic=7 timeout=20s
send   ACM cic=7
send   ANM cic=7
# The drained trunk's INVITE reaches no circuit: the next messages are the
# established calls' releases, in the order SIPp ends them.
expect REL cic=1 cause=16 timeout=20s
send   RLC cic=1
expect REL cic=3 cause=16 timeout=20s
send   RLC cic=3
expect REL cic=7 cause=16 timeout=20s
send   RLC cic=7
expect UBL cic=5 timeout=20s
send   UBA cic=5
expect GRS cic=1 range=7 timeout=20s
send   GRA cic=1 range=7 status=00
wait   300ms
send   CQM cic=1 range=7
expect CQR cic=1 range=7 circuit_state_indicator=%s
""" % ("0c" * 8)

c = Checks()
d = Daemon(GW)
peer = None
sipps = []
scen503 = None


def ctl(*args):
    r = run([BIN, "ctl", "--url", url, "--token-file", tok] + list(args))
    return r.returncode, r.stdout, r.stderr


def long_call(duration_ms):
    """One SIPp UAC call held `duration_ms` after answer, then BYE; in the background."""
    p = subprocess.Popen(sipp_args("sn:uac", free_port(), ["-s", "4930123456", "-m", "1", "-d", str(duration_ms)]) +
                         [f"127.0.0.1:{sport}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         cwd=tempfile.gettempdir())
    sipps.append(p)
    return p


def answered_calls():
    st, calls = request(url + "/calls", token=TOKEN)
    return [x for x in calls if x["answered"]] if st == 200 else []


try:
    url = api_url(d)
    c.check("management url logged", url is not None, d.lines[-10:])
    sport = sip_port(d)
    peer = IsupPeer(SCRIPT, m3ua_port(d, "peer"))
    c.check("circuits reset (GRS/GRA with isup-peer)", wait_circuits_reset(d), d.lines[-10:])

    # --- token
    st, body = request(url + "/calls")
    c.check("no token: 401", st == 401 and body["error"]["code"] == "unauthorized", (st, body))
    st, body = request(url + "/calls", token="wrong-token-0123456789abcdef")
    c.check("wrong token: 401", st == 401, (st, body))

    # --- two calls in flight, both legs listed
    a = long_call(3000)
    c.check("call 1 answered", wait_until(lambda: len(answered_calls()) == 1, 10) is not None)
    b = long_call(5000)
    calls = wait_until(lambda: (lambda x: x if len(x) == 2 else None)(answered_calls()), 10) or []
    c.check("GET /calls: two answered calls", len(calls) == 2, calls)
    c.check("both legs: SIP dialog from trunk local (Call-ID, tags, peer)",
            all(x["a"]["kind"] == "sip" and x["a"]["trunk"] == "local" and x["a"]["call_id"] and x["a"]["remote_tag"]
                and x["a"]["peer"].startswith("127.0.0.1:") for x in calls), calls)
    c.check("both legs: tg-peer CICs 1 and 3 (where isup-peer got the IAMs)",
            sorted((x["b"]["kind"], x["b"]["trunk_group"], x["b"]["cic"]) for x in calls) ==
            [("isup", "tg-peer", 1), ("isup", "tg-peer", 3)], calls)
    rc, out, err = ctl("show", "calls")
    c.check("ctl show calls: the same two calls", rc == 0 and sorted(x["b"]["cic"] for x in json.loads(out)) == [1, 3],
            (rc, out, err))

    # --- block CIC 5: BLO to isup-peer; the next call is hunted to CIC 7
    rc, out, err = ctl("block", "tg-peer", "5")
    c.check("ctl block tg-peer 5: BLO sent", rc == 0 and json.loads(out)["sent"] == ["BLO cic=5"], (rc, out, err))

    def cic5_blocked():
        st, cs = request(url + "/trunk-groups/tg-peer/circuits", token=TOKEN)
        return st == 200 and any(x["cic"] == 5 and x["blocking"] == "blocked" for x in cs)

    c.check("CIC 5 blocked once isup-peer's BLA is in", wait_until(cic5_blocked, 10) is not None)
    cc = long_call(7000)
    calls = wait_until(lambda: (lambda x: x if len(x) == 3 else None)(answered_calls()), 10) or []
    c.check("the next call is on CIC 7 (hunted past the blocked CIC 5)",
            sorted(x["b"]["cic"] for x in calls) == [1, 3, 7], calls)

    # --- drain the SIP trunk: new INVITEs 503 + Retry-After, established calls finish
    rc, out, err = ctl("sip-trunk", "local", "out", "30")
    c.check("ctl sip-trunk local out 30", rc == 0, (rc, out, err))
    st, trunks = request(url + "/sip-trunks", token=TOKEN)
    c.check("GET /sip-trunks: local draining with 3 calls",
            st == 200 and [(t["name"], t["admin"], t["active_calls"]) for t in trunks] == [("local", "draining", 3)],
            trunks)
    with open(os.path.join(SRC, "tests", "integration", "sipp", "uac_503_retry_after.xml")) as f:
        fd, scen503 = tempfile.mkstemp(prefix="sipp-", suffix=".xml")
        with os.fdopen(fd, "w") as g:
            g.write(f.read().replace("@RETRY@", "30"))
    r = subprocess.run(sipp_args(scen503, free_port(), ["-s", "4930123456", "-m", "1"]) + [f"127.0.0.1:{sport}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60,
                       cwd=tempfile.gettempdir())
    c.check("SIPp: a new INVITE is answered 503 with Retry-After: 30", r.returncode == 0, r.stderr[-600:])
    for name, p in (("call 1", a), ("call 2", b), ("call 3", cc)):
        try:
            rc = p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = None
        c.check(f"SIPp: {name} ran to its end while the trunk drained (1 successful call, BYE answered)", rc == 0,
                (rc, p.stderr.read()[-600:] if p.stderr else ""))
    st, trunks = request(url + "/sip-trunks", token=TOKEN)
    c.check("GET /sip-trunks: local out of service, no calls",
            [(t["admin"], t["active_calls"]) for t in trunks] == [("out_of_service", 0)], trunks)
    st, counters = request(url + "/counters", token=TOKEN)
    c.check("refused while out of service: counted once", counters.get("call.refused_out_of_service") == 1,
            counters.get("call.refused_out_of_service"))

    # --- unblock, reset the group: UBL and GRS to isup-peer
    rc, out, err = ctl("unblock", "tg-peer", "5")
    c.check("ctl unblock tg-peer 5: UBL", rc == 0 and json.loads(out)["sent"] == ["UBL cic=5"], (rc, out, err))
    wait_until(lambda: request(url + "/trunk-groups", token=TOKEN)[1][0]["local_blocked"] == 0, 10)
    rc, out, err = ctl("reset", "tg-peer")
    c.check("ctl reset tg-peer: GRS for the group", rc == 0 and json.loads(out)["sent"] == ["GRS cic=1 range=7"],
            (rc, out, err))
    c.check("isup-peer saw IAMs on 1, 3, 7, BLO 5, the releases, UBL 5, GRS; CQR all idle", peer.join(40),
            peer.output()[-1500:] + "\n" + "\n".join(d.lines[-20:]))
    rc, took = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    for p in sipps:
        if p.poll() is None:
            p.kill()
    if peer:
        if peer.running():
            d.cleanup()
        peer.join(5)
        peer.cleanup()
    d.cleanup()
    os.unlink(tok)
    if scen503:
        os.unlink(scen503)
c.finish()

"""Outbound registration and calls through a real Kamailio (Debian kamailio: auth, auth_db, registrar,
usrloc over db_text) as the carrier's side (issue 18; RFC 3261 10.2, 22).

The test writes kamailio.cfg and a db_text database (the package's own table schemas, one subscriber) on
loopback ports of its own. Tandem: SIPp UAC -> A -> ISUP -> B -> trunk `carrier` (registers, credentials
file) -> Kamailio (REGISTER: www_authorize, save("location"); INVITE: proxy_authorize -> 407, then relayed
with Record-Route) -> SIPp UAS.

Checks, each from Kamailio's side: its user location (kamcmd ul.dump over its ctl socket) holds B's contact
while B runs; its log shows B's REGISTERs authorized, at least twice (the refresh at half of the 4 s granted);
its log shows each INVITE authorized after the 407; SIPp's counts at both ends: the calls complete. B's
management views say the same (GET /sip-trunks: registered, the granted 4 s, last 200, next REGISTER within 2 s,
health up from the OPTIONS pings Kamailio answers; /metrics gauges). When B
stops it removes its binding (RFC 3261 10.2.2, Expires: 0 after a 401): Kamailio authorized that REGISTER,
ul.dump no longer lists isupgw-b, and its location table (db_text, written out at its stop) is empty."""
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time

from calltest import circuits_idle, free_port, m3ua_port, sip_port, uac, uas, wait_uas
from harness import Checks, Daemon, wait_port, wait_until
from mgmtapi import api_url, request

c = Checks()
KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"
KAMCMD = shutil.which("kamcmd") or "/usr/sbin/kamcmd"
SCHEMA = "/usr/share/kamailio/dbtext/kamailio"
MODULES = next((d for d in ("/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules")
                if os.path.isdir(d)), None)
if not os.path.exists(KAMAILIO) or not os.path.exists(KAMCMD) or not os.path.isdir(SCHEMA) or MODULES is None:
    c.skip("kamailio not installed (scripts/setup.sh installs it)")

WORK = tempfile.mkdtemp(prefix="isupgw-kam-")
DB = os.path.join(WORK, "db")
os.makedirs(DB)
# The package's schemas; the version table only with the two tables we use.
for t in ("subscriber", "location"):
    shutil.copy(os.path.join(SCHEMA, t), DB)
with open(os.path.join(SCHEMA, "version")) as f:
    lines = f.read().splitlines()
with open(os.path.join(DB, "version"), "w") as f:
    f.write(lines[0] + "\n" + "".join(l + "\n" for l in lines[1:] if re.match(r"\d+:(subscriber|location):", l)))
with open(os.path.join(DB, "subscriber"), "a") as f:
    # auth_db computes HA1 from the password column (calculate_ha1); db_text wants the ha1 columns filled too.
    ha1 = hashlib.md5(b"isupgw-b:carrier.test:secret-b").hexdigest()
    ha1b = hashlib.md5(b"isupgw-b@carrier.test:carrier.test:secret-b").hexdigest()
    f.write(f"1:isupgw-b:carrier.test:secret-b:{ha1}:{ha1b}\n")

KAM_PORT, UAS_PORT = free_port(), free_port()
CTL = os.path.join(WORK, "kamailio_ctl")
CFG = f"""#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:{KAM_PORT}
mpath="{MODULES}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "db_text.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:{CTL}")
modparam("usrloc", "db_url", "text://{DB}")
modparam("usrloc", "db_mode", 1)
modparam("auth_db", "db_url", "text://{DB}")
modparam("auth_db", "calculate_ha1", 1)
modparam("auth_db", "password_column", "password")
modparam("registrar", "min_expires", 2)
request_route {{
  if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
  if (has_totag()) {{
    if (loose_route()) {{ t_relay(); exit; }}
    if (is_method("ACK") && t_check_trans()) t_relay();
    exit;
  }}
  if (is_method("CANCEL")) {{ if (t_check_trans()) t_relay(); exit; }}
  if (is_method("REGISTER")) {{
    if (!www_authorize("$td", "subscriber")) {{ www_challenge("$td", "1"); exit; }}
    xlog("L_NOTICE", "kam: REGISTER authorized user=$au expires=$hdr(Expires)\\n");
    if (!save("location")) sl_reply_error();
    exit;
  }}
  if (is_method("INVITE")) {{
    if (!proxy_authorize("$fd", "subscriber")) {{ proxy_challenge("$fd", "1"); exit; }}
    xlog("L_NOTICE", "kam: INVITE authorized user=$au ruri=$ru\\n");
    consume_credentials();
    record_route();
    $du = "sip:127.0.0.1:{UAS_PORT}";
    t_relay();
    exit;
  }}
  sl_send_reply("405", "Method Not Allowed");
}}
"""
with open(os.path.join(WORK, "kamailio.cfg"), "w") as f:
    f.write(CFG)
CRED = os.path.join(WORK, "carrier.cred")
with open(CRED, "w") as f:
    f.write("isupgw-b:secret-b\n")
os.chmod(CRED, 0o600)

B = f"""
node: {{name: gw-b}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: carrier, address: 127.0.0.1, port: {KAM_PORT}, domain: carrier.test, options_interval_ms: 1000, options_timeout_ms: 1000, down_after: 3,
             auth: {{credentials_file: {CRED}}}, register: {{expires_s: 4, retry_after_s: 1}}}}]
ss7:
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]}}]
routes: [{{prefix: "", from: b-a, targets: [{{sip_trunk: carrier}}]}}]
management:
  listen: {{address: 127.0.0.1, port: 0}}
"""
A = """
node: {{name: gw-a}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}}]
ss7:
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}}]
routes: [{{prefix: "", from: callers, targets: [{{trunk_group: a-b}}]}}]
"""

kam_log = os.path.join(WORK, "kamailio.log")


def kam_lines(pattern):
    with open(kam_log, errors="replace") as f:
        return [l for l in f if re.search(pattern, l)]


def location_rows():
    with open(os.path.join(DB, "location")) as f:
        return [l for l in f.read().splitlines()[1:] if l.strip()]


def ul_dump():
    r = subprocess.run([KAMCMD, "-s", "unix:" + CTL, "ul.dump"], capture_output=True, text=True, timeout=10)
    return r.stdout + r.stderr


kam = a = b = None
try:
    with open(kam_log, "w") as log:
        kam = subprocess.Popen([KAMAILIO, "-f", os.path.join(WORK, "kamailio.cfg"), "-DD", "-E", "-Y", WORK],
                               stdout=log, stderr=subprocess.STDOUT)
    c.check("Kamailio listens", wait_port(KAM_PORT, "udp", 20), open(kam_log).read()[-2000:])
    b = Daemon(B)
    # When Kamailio authorized B's first and second REGISTER, watched from B's start (every 50 ms).
    seen, deadline = {}, time.monotonic() + 30
    while len(seen) < 2 and time.monotonic() < deadline:
        n = len(kam_lines(r"kam: REGISTER authorized user=isupgw-b"))
        for k in range(1, min(n, 2) + 1):
            seen.setdefault(k, time.monotonic())
        time.sleep(0.05)
    c.check("B registered with Kamailio after its 401 (B's log)",
            b.wait_for(r"sip registered trunk=carrier aor=sip:isupgw-b@carrier.test", 15) is not None,
            b.lines[-10:] + [open(kam_log).read()[-1500:]])
    c.check("Kamailio authorized B's REGISTER (its log)",
            wait_until(lambda: kam_lines(r"kam: REGISTER authorized user=isupgw-b expires=4"), 10) is not None,
            kam_lines("kam:"))
    gap = seen[2] - seen[1] if len(seen) == 2 else None
    c.check(f"B refreshed before expiry: Kamailio authorized a second REGISTER {gap if gap is None else round(gap, 1)} "
            "s after the first (4 s granted)",
            gap is not None and gap < 4.0 and b.wait_for(r"sip registration_refreshed trunk=carrier", 5) is not None,
            kam_lines("kam:"))

    a = Daemon(A.format(port=m3ua_port(b, "from-a")))
    a_sip = sip_port(a)
    c.check("A and B link up", a.wait_for(r"isup rx group=a-b cic=\d+ msg=GRA", 20) is not None, a.lines[-5:])
    CALLS = 3
    srv = uas("sn:uas", UAS_PORT, calls=CALLS)
    rc, err = uac("sn:uac", a_sip, calls=CALLS, extra=["-r", "5", "-d", "200"])
    src = wait_uas(srv)
    c.check(f"{CALLS} calls SIPp -> A -> ISUP -> B -> Kamailio -> SIPp: UAC passes", rc == 0,
            err[-600:] + "\n".join(b.lines[-10:]))
    c.check(f"... UAS passes ({CALLS} calls)", src == 0, (srv.stderr.read() if srv.stderr else "")[-600:])
    c.check(f"Kamailio authorized {CALLS} INVITEs from isupgw-b (after its 407)",
            len(kam_lines(r"kam: INVITE authorized user=isupgw-b")) == CALLS, kam_lines("kam:"))
    c.check("B answered each 407", sum(1 for l in b.lines if "sip auth_answered" in l and "status=407" in l) == CALLS,
            [l for l in b.lines if "auth_" in l])
    # B's management views of the same (issue 18): GET /sip-trunks and /metrics. The binding's time is what
    # Kamailio granted (4 s), the next REGISTER due within half of it.
    url = api_url(b)

    def carrier_view():
        st, trunks = request(url + "/sip-trunks") if url else (None, [])
        t = next((t for t in trunks if t.get("name") == "carrier"), None) if st == 200 else None
        reg = t and t.get("registration")
        # A refresh is answered 401 first: the view is read again until it shows the binding at rest.
        ok = reg is not None and reg["state"] == "registered" and reg["aor"] == "sip:isupgw-b@carrier.test" and \
            reg["registrar"] == "sip:carrier.test" and reg["target"] == f"127.0.0.1:{KAM_PORT}/udp" and \
            reg["expires"] == 4 and reg["last_status"] == "200" and reg["next_register_ms"] is not None and \
            0 <= reg["next_register_ms"] <= 2000 and t["health"] == "up"
        return (ok, trunks)

    view = wait_until(lambda: (lambda v: v if v[0] else None)(carrier_view()), 10) or carrier_view()
    c.check("GET /sip-trunks: carrier registered as sip:isupgw-b@carrier.test at Kamailio, expires 4, last 200, "
            "next REGISTER within 2 s; health up (OPTIONS answered)", view[0], view[1])

    def gauges():
        st, metrics = request(url + "/metrics") if url else (None, "")
        return st == 200 and 'isupgw_sip_trunk_registered{trunk="carrier"} 1' in metrics and \
            'isupgw_sip_trunk_health{trunk="carrier",state="up"} 1' in metrics and \
            'isupgw_sip_trunk_health{trunk="carrier",state="down"} 0' in metrics

    c.check("/metrics: isupgw_sip_trunk_registered{trunk=\"carrier\"} 1 and the health gauge up 1, down 0",
            wait_until(gauges, 10), [l for l in str(request(url + "/metrics")[1] if url else "").splitlines()
                                     if "sip_trunk" in l])
    # Kamailio's own view while B runs: the AOR isupgw-b with B's Contact and User-Agent.
    dump = ul_dump()
    c.check("while B runs, Kamailio's user location (kamcmd ul.dump) holds isupgw-b -> B's Contact, User-Agent gw-b",
            "isupgw-b" in dump and re.search(r"sip:isupgw@127\.0\.0\.1:\d+", dump) and "gw-b" in dump, dump[-1500:])
    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop()
        c.check(f"{name} stops cleanly", rc == 0, rc)
        ok, lines = circuits_idle(d)
        c.check(f"{name}: every circuit idle at stop", ok, lines)
    # RFC 3261 10.2.2: B removed its binding before it exited (its un-REGISTER challenged, then authorized).
    c.check("Kamailio authorized B's un-REGISTER (Expires: 0) before B exited",
            kam_lines(r"kam: REGISTER authorized user=isupgw-b expires=0"), kam_lines("kam:"))
    dump = ul_dump()
    c.check("after B stops, Kamailio's user location (kamcmd ul.dump) has no isupgw-b",
            "isupgw-b" not in dump and "Domain" in dump, dump[-1500:])
    # db_text writes its tables out when Kamailio stops: no binding left.
    kam.terminate()
    kam.wait(10)
    c.check("Kamailio's location table (db_text) is empty after B stopped", location_rows() == [], location_rows())
finally:
    for d in (a, b):
        if d:
            d.cleanup()
    if kam:
        kam.terminate()
        try:
            kam.wait(10)
        except subprocess.TimeoutExpired:
            kam.kill()
            kam.wait()
    shutil.rmtree(WORK, ignore_errors=True)
c.finish()

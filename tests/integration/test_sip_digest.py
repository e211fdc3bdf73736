"""Digest authentication in the daemon (issue 18; RFC 3261 22, RFC 7616), judged by SIPp.

The tandem of test_tandem_sipp.py:
  SIPp UAC ([authentication], -au/-ap) -> A (trunk `callers` with auth.challenge: INVITE -> 401 with
      WWW-Authenticate MD5 qop=auth: Debian's SIPp 3.6 computes MD5 only) -> ISUP -> B -> trunk `callee` with a
      credentials file -> SIPp UAS (uas_auth.xml: 401 MD5 qop=auth, then verifyauth on the second INVITE)

Checks: calls complete at both SIPps (the UAS's verifyauth accepted B's Authorization; A accepted SIPp's);
a wrong password gets 403 from A and is counted (sip.auth.failed), a call refused before reaching B;
the credentials file readable by others is warned about.
The verdicts of the two SIPps (exit codes, the UAS's verifyauth, the 403 the refused scenario expects) are
independent. Weak, our own account: B's auth_answered lines, A's auth_failed line, "never reached B" (B's own
isup log) and the sip.auth.* counters -- they explain what happened, SIPp's verdicts prove it."""
import os
import re
import tempfile

from calltest import circuits_idle, free_port, m3ua_port, scenario, sip_port, uac, uas, wait_uas
from harness import Checks, Daemon

c = Checks()
WORK = tempfile.mkdtemp(prefix="isupgw-digest-")


def secret(name, text, mode):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


A_CRED = secret("callers.cred", "# the callers' account\ncaller-1:pw-a-secret\n", 0o600)
B_CRED = secret("callee.cred", "gw-b:pw-b-secret\n", 0o644)  # readable by others: warned
UAS_PORT = free_port()

B = f"""
node: {{name: gw-b}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callee, address: 127.0.0.1, port: {UAS_PORT}, auth: {{credentials_file: {B_CRED}}}}}]
ss7:
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: 127.0.0.1, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]}}]
routes: [{{prefix: "", from: b-a, targets: [{{sip_trunk: callee}}]}}]
"""

A = """
node: {{name: gw-a}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callers, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"],
             auth: {{credentials_file: {cred}, challenge: true, realm: gw-a.test, algorithms: [MD5]}}}}]
ss7:
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: 127.0.0.1, port: {port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}}]
routes: [{{prefix: "", from: callers, targets: [{{trunk_group: a-b}}]}}]
"""


def counter(d, name):
    for l in d.lines:
        m = re.search(rf" counter name={re.escape(name)} value=(\d+)", l)
        if m:
            return int(m.group(1))
    return 0


a = b = None
try:
    b = Daemon(B)
    a = Daemon(A.format(cred=A_CRED, port=m3ua_port(b, "from-a")))
    a_sip = sip_port(a)
    c.check("A and B link up", a.wait_for(r"isup rx group=a-b cic=\d+ msg=GRA", 20) is not None, a.lines[-10:])
    c.check("B warns that its credentials file is readable by others",
            b.wait_for(r"sip credentials_file_readable trunk=callee") is not None, b.lines[-5:])
    c.check("A does not warn about its 0600 file", a.wait_for(r"credentials_file_readable", 0.5) is None)

    CALLS = 3
    srv = uas(scenario("uas_auth.xml"), UAS_PORT, calls=CALLS)
    rc, err = uac(scenario("uac_auth.xml"), a_sip, calls=CALLS,
                  extra=["-au", "caller-1", "-ap", "pw-a-secret", "-r", "5", "-auth_uri", f"4930123456@127.0.0.1:{a_sip}"])
    src = wait_uas(srv)
    c.check(f"{CALLS} calls: SIPp answers A's 401 ([authentication]) and completes", rc == 0,
            err[-800:] + "\n".join(a.lines[-8:]))
    c.check(f"... and B answers the UAS's 401: SIPp's verifyauth accepts B's credentials ({CALLS} calls)",
            src == 0, (srv.stderr.read() if srv.stderr else "")[-800:] + "\n".join(b.lines[-8:]))
    c.check("B answered the challenges (auth_answered status=401 algorithm=MD5)",
            sum(1 for l in b.lines if "sip auth_answered" in l and "status=401" in l and "algorithm=MD5" in l) == CALLS,
            [l for l in b.lines if "auth_" in l])

    n_b = len(b.lines)
    rc, err = uac(scenario("uac_auth_refused.xml"), a_sip,
                  extra=["-au", "caller-1", "-ap", "wrong", "-auth_uri", f"4930123456@127.0.0.1:{a_sip}"])
    c.check("a wrong password: A answers 403 (SIPp's scenario)", rc == 0, err[-800:])
    c.check("A logged the refusal", a.wait_for(r"sip auth_failed source=127.0.0.1 user=caller-1 .*reason=\"wrong credentials\"", 5) is not None)
    c.check("the refused call never reached B", not any("isup rx" in l and "msg=IAM" in l for l in b.lines[n_b:]),
            b.lines[n_b:])

    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop()
        c.check(f"{name} stops cleanly", rc == 0, rc)
        ok, lines = circuits_idle(d)
        c.check(f"{name}: every circuit idle at stop", ok, lines)
    c.check(f"A's counters: {CALLS + 1} challenged, {CALLS} accepted, 1 failed",
            (counter(a, "sip.auth.challenged"), counter(a, "sip.auth.accepted"), counter(a, "sip.auth.failed")) ==
            (CALLS + 1, CALLS, 1),
            [l for l in a.lines if "counter name=sip.auth" in l])
    c.check(f"B's counter sip.auth.uac_answered = {CALLS}", counter(b, "sip.auth.uac_answered") == CALLS,
            [l for l in b.lines if "counter name=sip.auth" in l])
finally:
    for d in (a, b):
        if d:
            d.cleanup()
c.finish()

"""SIPp (Debian sip-tester) against sip-ua, the test user agent built on the
isupgw SIP stack, both ways: basic call, CANCEL, 486, re-INVITE, a re-INVITE
answered 491 and retried (RFC 3261 14.1), PRACK (100rel), over UDP and TCP.
Every message sip-ua emitted must decode in tshark with nothing malformed."""
import glob
import os
import subprocess

from harness import Checks, wait_port
from sip_peers import SIPP, WORK, finish_ua, free_port, scenario, sipp, start_ua, tshark_check

c = Checks()


def sipp_calls_ua(name, ua_args, sipp_args, calls=1):
    """SIPp as UAC -> sip-ua as UAS."""
    port = free_port()
    ua = start_ua("uas", "--listen", f"127.0.0.1:{port}", "--calls", calls, "--duration", 30, *ua_args)
    rc, out = sipp(sipp_args + [f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", free_port(), "-m", calls])
    urc, uout = finish_ua(ua)
    c.check(f"SIPp UAC -> sip-ua: {name}", rc == 0 and urc == 0, f"\nsipp rc={rc}\n{out}\nsip-ua rc={urc}\n{uout}")
    return uout


def ua_calls_sipp(name, ua_args, sipp_args, calls=1):
    """sip-ua as UAC -> SIPp as UAS."""
    port = free_port()
    sp = subprocess.Popen([SIPP] + [str(a) for a in sipp_args] +
                          ["-i", "127.0.0.1", "-p", str(port), "-m", str(calls), "-nostdin", "-timeout", "30s",
                           "-timeout_error"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=WORK)
    wait_port(port)  # SIPp has bound its port
    ua = start_ua("uac", "--peer", f"127.0.0.1:{port}", "--calls", calls, "--duration", 30, *ua_args)
    urc, uout = finish_ua(ua)
    try:
        sout, _ = sp.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        sp.kill()
        sout, _ = sp.communicate()
    c.check(f"sip-ua UAC -> SIPp: {name}", sp.returncode == 0 and urc == 0,
            f"\nsipp rc={sp.returncode}\n{sout[-2000:]}\nsip-ua rc={urc}\n{uout}")
    return uout


# SIPp as UAC (built-in uac scenario, and ours under tests/integration/sipp/).
sipp_calls_ua("basic call x3 (UDP)", ["--ring-ms", 100], ["-sn", "uac", "-r", 10, "-d", 200], calls=3)
sipp_calls_ua("CANCEL while ringing", ["--ring-ms", 5000, "--expect", 487], ["-sf", scenario("uac_cancel.xml")])
sipp_calls_ua("486 Busy Here", ["--ring-ms", 100, "--reject", 486], ["-sf", scenario("uac_486.xml")])
out = sipp_calls_ua("re-INVITE (hold) answered with our SDP", [], ["-sf", scenario("uac_reinvite.xml")])
c.check("sip-ua saw the re-offer", "event=reoffer" in out, out)
sipp_calls_ua("PRACK for a reliable 183 (100rel)", ["--reliable", "--early-sdp", "--ring-ms", 300],
              ["-sf", scenario("uac_100rel.xml")])
sipp_calls_ua("basic call x3 (TCP)", ["--transport", "tcp", "--ring-ms", 100], ["-sn", "uac", "-t", "t1", "-d", 200],
              calls=3)

# sip-ua as UAC.
ua_calls_sipp("basic call x3 (UDP)", ["--hold-ms", 200], ["-sn", "uas"], calls=3)
ua_calls_sipp("CANCEL after ringing", ["--cancel-ms", 300, "--expect", 487], ["-sf", scenario("uas_cancel.xml")])
ua_calls_sipp("486 Busy Here", ["--expect", 486], ["-sf", scenario("uas_486.xml")])
out = ua_calls_sipp("re-INVITE (hold)", ["--reinvite", "--hold-ms", 800], ["-sf", scenario("uas_reinvite.xml")])
c.check("re-INVITE answered 200", "event=refresh-result session=1 status=200" in out, out)
# RFC 3261 14.1: SIPp answers the re-INVITE 491; sip-ua (the Call-ID's owner)
# retries 2.1-4 s later, as SIPp's own clock measures (-trace_rtt).
for f in glob.glob(os.path.join(WORK, "*_rtt.csv")):
    os.remove(f)
out = ua_calls_sipp("re-INVITE answered 491 is retried", ["--reinvite", "--hold-ms", 9000],
                    ["-sf", scenario("uas_reinvite_491.xml"), "-trace_rtt", "-rtt_freq", 1])
c.check("the retried re-INVITE answered 200", "event=refresh-result session=1 status=200" in out, out)
c.check("491 reported to nobody: one refresh result", out.count("event=refresh-result") == 1, out)
rtt = []
for f in glob.glob(os.path.join(WORK, "*_rtt.csv")):
    with open(f) as fh:
        for line in fh.read().splitlines()[1:]:
            cols = line.split(";")
            if len(cols) >= 2 and cols[1].strip():
                rtt.append(float(cols[1]))
c.check(f"SIPp saw the retry {rtt[0] if rtt else '?'} ms after its 491: 2.1-4 s (RFC 3261 14.1, Call-ID owner)",
        len(rtt) == 1 and 2090 <= rtt[0] <= 4100, f"rtd ms: {rtt}")
ua_calls_sipp("PRACK for SIPp's reliable 183", ["--hold-ms", 300], ["-sf", scenario("uas_100rel.xml")])
ua_calls_sipp("basic call x3 (TCP)", ["--transport", "tcp", "--hold-ms", 200], ["-sn", "uas", "-t", "t1"], calls=3)

n, problems = tshark_check()
c.check(f"tshark decodes all {n} messages sip-ua emitted, none malformed", n > 0 and not problems,
        "\n".join(problems[:20]))
c.finish()

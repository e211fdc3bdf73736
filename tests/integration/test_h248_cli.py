"""`isupgw decode h248 TEXT` / `isupgw encode h248 [--style] TEXT` (H.248.1 Annex B):
the registration of RFC 3525 Appendix A.1.1 decodes to its fields, short and long
tokens give the same JSON, encode's compact form decodes to the same JSON, and bad
input exits non-zero with one line naming the fault and its offset."""
import json
import subprocess

from harness import BIN, Checks, run

c = Checks()

REGISTER = """MEGACO/1 [124.124.124.222]:55555
Transaction = 9998 {
    Context = - {
        ServiceChange = ROOT {Services {
            Method=Restart,
            ServiceChangeAddress=55555, Profile=ResGW/1}
        }
    }
}"""

r = run([BIN, "decode", "h248", REGISTER])
ok = r.returncode == 0
if ok:
    j = json.loads(r.stdout)
    t = j["transactions"][0]
    cmd = t["actions"][0]["commands"][0]
    ok = (j["version"] == 1 and j["mid"] == "[124.124.124.222]:55555" and t["transaction"] == "request"
          and t["id"] == 9998 and t["actions"][0]["context"] == "-" and cmd["command"] == "ServiceChange"
          and cmd["termination"] == "ROOT"
          and cmd["services"] == {"method": "Restart", "address": "55555", "profile": "ResGW/1"})
c.check("decode the RFC 3525 A.1.1 ServiceChange", ok, r.stdout + r.stderr)

SHORT = "!/1 [124.124.124.222]:55555 T=9998{C=-{SC=ROOT{SV{MT=RS,AD=55555,PF=ResGW/1}}}}"
r2 = run([BIN, "decode", "h248", SHORT])
c.check("short tokens decode to the same JSON", r2.returncode == 0 and r2.stdout == r.stdout, r2.stdout + r2.stderr)

r3 = run([BIN, "encode", "h248", "--style", "compact", REGISTER])
c.check("encode --style compact writes short tokens",
        r3.returncode == 0 and r3.stdout.startswith("!/1 [124.124.124.222]:55555\nT=9998{C=-{SC=ROOT{SV{MT=RS"),
        r3.stdout + r3.stderr)
r4 = run([BIN, "decode", "h248", r3.stdout])
c.check("the compact form decodes to the same JSON", r4.returncode == 0 and r4.stdout == r.stdout,
        r4.stdout + r4.stderr)
r5 = run([BIN, "encode", "h248", SHORT])
c.check("encode writes long tokens by default",
        r5.returncode == 0 and "Transaction = 9998 {" in r5.stdout and "Method = Restart" in r5.stdout,
        r5.stdout + r5.stderr)

BAD = [
    ("MEGACO/3 [1.2.3.4] T=1{C=-{A=x}", "unterminated"),
    ("MEGACO/3 [1.2.3.4] T=1{C=-{Frobnicate=x}}", "unknown or misplaced token"),
    ("SIP/2.0 200 OK", "bad message header"),
]
for text, why in BAD:
    r = run([BIN, "decode", "h248", text])
    lines = r.stderr.strip().splitlines()
    c.check(f"decode rejects {text!r}: {why}", r.returncode not in (0, None) and len(lines) == 1 and why in lines[0]
            and "offset" in lines[0] and r.stdout == "", f"rc={r.returncode} {r.stderr!r}")
r = run([BIN, "encode", "h248", "--style", "tiny", REGISTER])
c.check("encode rejects an unknown style", r.returncode != 0 and "pretty or compact" in r.stderr, r.stderr)

# B.2 quotedString allows octets 80-FF: such a message parses, but JSON has no room for bytes that are not UTF-8.
NOT_UTF8 = b'MEGACO/3 [1.2.3.4] T=1{C=-{SC=ROOT{SV{MT=RS,RE="901 \xff\xfe"}}}}'
r = subprocess.run([BIN, "decode", "h248", NOT_UTF8], capture_output=True, timeout=30)
err = r.stderr.decode(errors="replace").strip().splitlines()
c.check("decode of a message that is not UTF-8: one clear error line, exit non-zero, no exception",
        r.returncode not in (0, None) and r.returncode > 0 and len(err) == 1 and "not UTF-8" in err[0]
        and "terminate" not in err[0] and r.stdout == b"", (r.returncode, err))
c.finish()

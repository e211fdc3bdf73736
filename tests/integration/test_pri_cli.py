"""`isupgw decode|encode iua` (RFC 4233) and `q931` (EN 300 403-1): the oracles.md SETUP,
raw and inside an IUA Data Indication, decodes to its fields; JSON -> hex gives the same
octets back; bad input exits non-zero with one line naming the fault."""
import json

from harness import BIN, Checks, run

c = Checks()

# oracles.md: tshark reads it as called 4930999888, calling 4930123456, B channel 3.
SETUP = "0802000505" "04038090a3" "1803a98383" "6c0c2181" "34393330313233343536" "700ba1" "34393330393939383838"
# RFC 4233 Data Indication: header, interface id 1 (tag 1), DLCI SAPI 0 TEI 0 (tag 5), Protocol Data (tag 0x0e).
DATA_IND = "0100050200000048" "0001000800000001" "0005000800010000" "000e002e" + SETUP + "0000"

r = run([BIN, "decode", "q931", SETUP])
ok = r.returncode == 0
if ok:
    j = json.loads(r.stdout)
    ok = (j["message"] == "SETUP" and j["call_reference"] == {"length": 2, "flag": 0, "value": 5}
          and j["called"]["digits"] == "4930999888" and j["calling"]["digits"] == "4930123456"
          and j["calling"]["screening"] == 1 and j["channel_id"]["channels"] == [3]
          and j["bearer_capability"]["layer1"] == 3)
c.check("decode q931 SETUP: numbers, channel 3, A-law", ok, r.stdout + r.stderr)
r2 = run([BIN, "encode", "q931", r.stdout.strip()])
c.check("q931 JSON encodes to the same octets", r2.returncode == 0 and r2.stdout.strip() == SETUP,
        r2.stdout + r2.stderr)

r = run([BIN, "decode", "iua", DATA_IND])
ok = r.returncode == 0
if ok:
    j = json.loads(r.stdout)
    ok = (j["message"] == "DATA_IND" and j["interface_id"] == 1 and j["dlci"] == {"sapi": 0, "tei": 0}
          and j["protocol_data"] == SETUP and j["q931"]["called"]["digits"] == "4930999888")
c.check("decode iua Data Indication with its Q.931 SETUP", ok, r.stdout + r.stderr)
r2 = run([BIN, "encode", "iua", r.stdout.strip()])
c.check("iua JSON encodes to the same octets", r2.returncode == 0 and r2.stdout.strip() == DATA_IND,
        r2.stdout + r2.stderr)
r = run([BIN, "encode", "iua", '{"message":"ASPAC","traffic_mode_type":1,"interface_ids":[1,2]}'])
c.check("encode iua ASPAC", r.returncode == 0 and r.stdout.strip() ==
        "010004010000001c000b0008000000010001000c0000000100000002", r.stdout + r.stderr)

# Q.931 5.8: a bad IE no longer fails the decode; it is dropped and reported with what a receiver answers.
# Bearer capability 04 05 80 90 runs past the message (mandatory in SETUP: reject, cause 100).
r = run([BIN, "decode", "q931", "08020005050405 8090"])
ok = r.returncode == 0
if ok:
    j = json.loads(r.stdout)
    ok = (j["message"] == "SETUP" and "bearer_capability" not in j
          and j["ie_errors"] == [{"id": 4, "error": "invalid_contents"}]
          and j["ie_verdict"] == {"action": "reject", "cause": 100, "diagnostics": "04"})
c.check("decode q931 reports a truncated mandatory IE (cause 100)", ok, r.stdout + r.stderr)

BAD = [
    (["decode", "iua", "0100050b00000008"], "unsupported message type"),
    (["decode", "iua", "01000505000000100001000800000001"], "missing parameter 0x0005"),
    (["decode", "q931", "0902000505"], "protocol discriminator"),
    (["encode", "iua", '{"message":"ASPUP","dlci":{"sapi":0,"tei":0}}'], "unexpected parameter 0x0005"),
    (["encode", "q931", '{"message":"SETUP","bogus":1}'], "unknown key"),
]
for args, why in BAD:
    r = run([BIN] + args)
    lines = r.stderr.strip().splitlines()
    c.check(f"{' '.join(args[:2])} rejects: {why}", r.returncode not in (0, None) and len(lines) == 1
            and why in lines[0] and r.stdout == "", f"rc={r.returncode} {r.stderr!r}")
c.finish()

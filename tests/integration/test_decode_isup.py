"""`isupgw decode isup` / `isupgw encode isup`: JSON for real ISUP messages
(ITU, ETSI, ANSI, RFC 3204 body form), HEX -> JSON -> HEX round trips, and bad
input rejected with a non-zero exit status and a one-line reason."""
import json

from harness import BIN, Checks, run

c = Checks()

# (variant, body form?, hex, checks on the decoded JSON)
IAM = ("2301 01 15 6181 0a 03 02 0a 08 8390 9403 2143 650f"
       " 0a 06 8313 5515 3204 3d 01 11 00")
VECTORS = [
    ("itu", False, IAM, lambda j: j["type"] == "IAM" and j["code"] == 1 and j["cic"] == 0x123
     and j["params"]["called_party_number"]["digits"] == "4930123456F"
     and j["params"]["called_party_number"]["nai"] == 3 and j["params"]["called_party_number"]["npi"] == 1
     and j["params"]["calling_party_number"]["digits"] == "5551234"
     and j["params"]["calling_party_number"]["screening"] == 3
     and j["params"]["hop_counter"]["value"] == 17),
    ("itu", True, IAM[5:], lambda j: j["type"] == "IAM" and "cic" not in j),
    ("etsi", False, IAM, lambda j: j["params"]["transmission_medium_requirement"]["value"] == 3),
    ("itu", False, "0100 0c 02 00 02 8290", lambda j: j["type"] == "REL"
     and j["params"]["cause_indicators"] == {"value": 16, "location": 2, "coding_standard": 0}),
    ("itu", False, "0100 18 00 01 02 07ff", lambda j: j["type"] == "CGB"
     and j["params"]["range_and_status"] == {"range": 7, "status": "ff"}
     and j["params"]["circuit_group_supervision_message_type"]["type"] == 0),
    ("itu", False, "0100 17 01 01 1f", lambda j: j["type"] == "GRS"
     and j["params"]["range_and_status"] == {"range": 31, "status": ""}),
    ("itu", False, "0500 06 1614 01 29 01 01 fa 02 abcd 00", lambda j: j["type"] == "ACM"
     and j["params"]["optional_backward_call_indicators"]["inband_information"] is True
     and j["params"]["param_250"] == {"code": 250, "hex": "abcd"}),
    ("itu", False, "0100 09 01 2c 01 80 2c 01 81 00", lambda j: j["type"] == "ANM"
     and j["params"]["generic_notification_indicator"] == [{"code": 44, "hex": "80"}, {"code": 44, "hex": "81"}]),
    ("itu", False, "0100 10 00", lambda j: j["type"] == "RLC" and j["params"] == {}),
    ("itu", False, "0100 13", lambda j: j["type"] == "BLO"),
    ("ansi", False, "4523 01 00 2001 0a 03 06 0d 03 8090a2 07 0310 2143 6587 05"
                    " eb 06 0310 2143 6587 ea 01 00 00",
     lambda j: j["cic"] == 0x2345 and j["params"]["user_service_information"]["transfer_rate"] == 16
     and j["params"]["called_party_number"]["digits"] == "1234567850"
     and j["params"]["charge_number"]["digits"] == "12345678"
     and j["params"]["originating_line_information"]["value"] == 0
     and "transmission_medium_requirement" not in j["params"]),
]

for variant, body, hexstr, check in VECTORS:
    h = hexstr.replace(" ", "")
    opts = ["--variant", variant] + (["--body"] if body else [])
    label = f"{variant}{' body' if body else ''} {h[:24]}"
    r = run([BIN, "decode", "isup"] + opts + [h])
    if not c.check(f"decode {label}", r.returncode == 0, r.stderr):
        continue
    try:
        j = json.loads(r.stdout)
    except ValueError as e:
        c.check(f"decode {label} prints JSON", False, str(e))
        continue
    c.check(f"decode {label} fields", check(j), r.stdout)
    r2 = run([BIN, "encode", "isup"] + opts + [r.stdout.strip()])
    c.check(f"round trip {label}", r2.returncode == 0 and r2.stdout.strip() == h.lower(),
            f"rc={r2.returncode} got {r2.stdout.strip()} {r2.stderr}")

# Hand-written JSON with typed fields only (defaults for the rest).
hand = {"type": "IAM", "cic": 7, "params": {
    "nature_of_connection_indicators": {},
    "forward_call_indicators": {"isup_all_the_way": True},
    "calling_partys_category": {"value": 10},
    "transmission_medium_requirement": {"value": 0},
    "called_party_number": {"digits": "123", "nai": 3, "npi": 1},
    "calling_party_number": {"digits": "456", "nai": 3, "npi": 1, "screening": 3}}}
r = run([BIN, "encode", "isup", json.dumps(hand)])
c.check("encode hand-written IAM", r.returncode == 0 and
        r.stdout.strip() == "0700 01 00 2000 0a 00 0206 04 8310 2103 0a 04 8313 5406 00".replace(" ", ""),
        r.stdout + r.stderr)

BAD_DECODE = [
    (["0100"], "truncated message"),
    (["0100 01 00 20"], "truncated message"),
    (["0100 99"], "unknown message type"),
    (["0100 0c 00 00"], "bad pointer"),
    (["0100 0c 02 00 05 8290"], "length mismatch"),
    (["0100 09 01 3d 01 1f"], "truncated message"),
    (["zz"], "invalid hex"),
    (["--variant", "q767", "0100 10 00"], "unknown variant"),
    (["--frob", "x", "0100 10 00"], "unknown option"),
    (["ff7f 10 00"], "CIC out of range"),
]
for args, reason in BAD_DECODE:
    r = run([BIN, "decode", "isup"] + [a.replace(" ", "") if not a.startswith("--") else a for a in args])
    err = r.stderr.strip()
    c.check(f"decode rejects {' '.join(args)}", r.returncode != 0 and reason in err and "\n" not in err
            and r.stdout == "", f"rc={r.returncode} stderr={err!r}")

BAD_ENCODE = [
    ('{"type":"IAM","cic":1,"params":{}}', "missing mandatory parameter 'nature_of_connection_indicators'"),
    ('{"type":"XYZ","cic":1}', "unknown message type"),
    ('{"type":"REL","params":{"cause_indicators":{"value":16}}}', "missing 'cic'"),
    ('{"type":"RLC","cic":99999}', "'cic' must be"),
    ('{"type":"BLO","cic":1,"params":{"hop_counter":{"value":1}}}', "no optional part"),
    ('{"type":"REL","cic":1,"params":{"cause_indicators":{"value":300}}}', "'value' must be an integer"),
    ('{"type":"REL","cic":1,"params":{"cause_indicators":{"value":16},"frob":{}}}', "unknown parameter 'frob'"),
    ('{"type":"SAM","cic":1,"params":{"subsequent_number":{"digits":"12x"}}}', "not a digit code"),
    ('not json', "invalid JSON"),
]
for text, reason in BAD_ENCODE:
    r = run([BIN, "encode", "isup", text])
    err = r.stderr.strip()
    c.check(f"encode rejects {text[:40]}", r.returncode != 0 and reason in err and "\n" not in err,
            f"rc={r.returncode} stderr={err!r}")

c.finish()

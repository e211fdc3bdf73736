"""`isupgw decode m3ua HEX` / `isupgw encode m3ua JSON` (RFC 4666): known vectors
decode to the documented JSON, every message type survives JSON -> hex -> JSON,
and bad input exits non-zero with one line naming the M3UA error."""
import json

from harness import BIN, Checks, run

c = Checks()


def decode(hexstr):
    return run([BIN, "decode", "m3ua", hexstr])


def encode(obj):
    return run([BIN, "encode", "m3ua", json.dumps(obj)])


# Hex -> exact JSON text (key order class, type, params).
VECTORS = [
    ("0100030100000010001100080000000a",
     '{"class":3,"type":1,"params":{"asp_identifier":10}}'),
    ("0100000000000018000c0008000000190006000800000005",
     '{"class":0,"type":0,"params":{"routing_context":[5],"error_code":25}}'),
]

r = decode(VECTORS[0][0])
c.check("decode ASPUP", r.returncode == 0 and r.stdout.strip() == VECTORS[0][1], r.stdout + r.stderr)
r = decode(VECTORS[1][0])
c.check("decode ERR invalid routing context", r.returncode == 0 and r.stdout.strip() == VECTORS[1][1],
        r.stdout + r.stderr)

data_hex = ("01 00 01 01 0000003c  0006 0008 00000064  0210 0021 00000001 00000002 05 02 00 07 "
            "0100 01 00 2001 0a 00 02 00 06 0390 2143 6587 000000  0013 0008 0000004d")
r = decode(data_hex)
ok = r.returncode == 0
if ok:
    j = json.loads(r.stdout)
    ok = (j["class"] == 1 and j["type"] == 1 and j["params"]["routing_context"] == [100]
          and j["params"]["correlation_id"] == 77
          and j["params"]["protocol_data"] == {"opc": 1, "dpc": 2, "si": 5, "ni": 2, "mp": 0, "sls": 7,
                                               "data": "0100010020010a00020006039021436587"})
c.check("decode DATA with routing context, protocol data, correlation id", ok, r.stdout + r.stderr)
r2 = run([BIN, "encode", "m3ua", r.stdout.strip()])
c.check("DATA JSON encodes to the same octets", r2.returncode == 0 and r2.stdout.strip() ==
        data_hex.replace(" ", ""), r2.stdout + r2.stderr)

# One message of every type, JSON -> hex -> JSON.
pc = [{"mask": 0, "pc": 258}]
MESSAGES = [
    {"class": 0, "type": 0, "params": {"error_code": 1, "diagnostic_information": "0200030100000008"}},
    {"class": 0, "type": 1, "params": {"status": {"type": 1, "info": 3}, "asp_identifier": 7,
                                       "routing_context": [1], "info_string": "as-active"}},
    {"class": 1, "type": 1, "params": {"network_appearance": 8, "routing_context": [9],
                                       "protocol_data": {"opc": 1, "dpc": 2, "si": 5, "ni": 2, "mp": 0, "sls": 3,
                                                         "data": "0102"}, "correlation_id": 4}},
    {"class": 2, "type": 1, "params": {"routing_context": [10], "affected_point_code": pc}},
    {"class": 2, "type": 2, "params": {"affected_point_code": pc, "info_string": "x"}},
    {"class": 2, "type": 3, "params": {"affected_point_code": pc}},
    {"class": 2, "type": 4, "params": {"affected_point_code": pc, "concerned_destination": 5,
                                       "congestion_indications": {"level": 2}}},
    {"class": 2, "type": 5, "params": {"affected_point_code": pc, "user_cause": {"cause": 2, "user": 5}}},
    {"class": 2, "type": 6, "params": {"affected_point_code": pc}},
    {"class": 3, "type": 1, "params": {"asp_identifier": 1}},
    {"class": 3, "type": 2, "params": {}},
    {"class": 3, "type": 3, "params": {"heartbeat_data": "deadbeef01"}},
    {"class": 3, "type": 4, "params": {"asp_identifier": 1, "info_string": "ok"}},
    {"class": 3, "type": 5, "params": {}},
    {"class": 3, "type": 6, "params": {"heartbeat_data": "deadbeef01"}},
    {"class": 4, "type": 1, "params": {"traffic_mode_type": 2, "routing_context": [1, 2]}},
    {"class": 4, "type": 2, "params": {"routing_context": [1]}},
    {"class": 4, "type": 3, "params": {"traffic_mode_type": 1, "routing_context": [1]}},
    {"class": 4, "type": 4, "params": {}},
    {"class": 9, "type": 1, "params": {"routing_key": [{
        "local_rk_identifier": 1, "routing_context": [55], "traffic_mode_type": 1, "network_appearance": 2,
        "destination_point_code": [{"mask": 0, "pc": 258, "service_indicators": [5],
                                    "originating_point_code_list": [{"mask": 0, "pc": 772}],
                                    "circuit_range": [{"mask": 0, "pc": 772, "lower_cic": 1, "upper_cic": 31}]}]}]}},
    {"class": 9, "type": 2, "params": {"registration_result": [
        {"local_rk_identifier": 1, "registration_status": 0, "routing_context": 55}]}},
    {"class": 9, "type": 3, "params": {"routing_context": [55]}},
    {"class": 9, "type": 4, "params": {"deregistration_result": [{"routing_context": 55, "deregistration_status": 0}]}},
]
for m in MESSAGES:
    name = f"class {m['class']} type {m['type']}"
    r = encode(m)
    if not c.check(f"encode {name}", r.returncode == 0, r.stderr):
        continue
    r2 = decode(r.stdout.strip())
    c.check(f"JSON -> hex -> JSON identical: {name}", r2.returncode == 0 and json.loads(r2.stdout) == m,
            r2.stdout + r2.stderr)

# Bad input: non-zero exit, exactly one line on stderr naming the fault.
BAD = [
    ("0200030100000008", "invalid version"),
    ("0100050100000008", "unsupported message class"),
    ("0100030700000008", "unsupported message type"),
    ("0100010100000008", "missing parameter"),
    ("01000301000000100006000800000001", "unexpected parameter"),
    ("01000301000000100011000600000000", "parameter field error"),
    ("0100040100000010000b000800000004", "unsupported traffic mode type"),
    ("0100030100000009", "protocol error"),
    ("010003", "protocol error"),
    ("xyz", "invalid hex"),
]
for h, why in BAD:
    r = decode(h)
    lines = r.stderr.strip().splitlines()
    c.check(f"decode rejects {h}: {why}", r.returncode not in (0, None) and len(lines) == 1 and why in lines[0]
            and r.stdout == "", f"rc={r.returncode} {r.stderr!r}")

r = run([BIN, "encode", "m3ua", '{"class":3,"type":1,"params":{"bogus":1}}'])
c.check("encode rejects unknown key", r.returncode != 0 and "unknown key 'bogus'" in r.stderr, r.stderr)
r = run([BIN, "encode", "m3ua", '{"class":3,"type":1,"params":{"routing_context":[1]}}'])
c.check("encode rejects parameter not allowed in ASPUP", r.returncode != 0 and "unexpected parameter" in r.stderr,
        r.stderr)
r = run([BIN, "encode", "m3ua", "{not json"])
c.check("encode rejects invalid JSON", r.returncode != 0 and "invalid JSON" in r.stderr, r.stderr)
c.finish()

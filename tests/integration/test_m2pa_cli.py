"""`isupgw decode m2pa HEX` / `isupgw encode m2pa JSON` (RFC 4165 with the MTP3
message inside, Q.704/Q.707): known vectors decode to the documented JSON, each
message survives JSON -> hex -> JSON, and bad input exits non-zero with one line."""
import json

from harness import BIN, Checks, run

c = Checks()


def decode(hexstr, variant=None):
    return run([BIN, "decode", "m2pa"] + (["--variant", variant] if variant else []) + [hexstr])


def encode(obj, variant=None):
    return run([BIN, "encode", "m2pa"] + (["--variant", variant] if variant else []) + [json.dumps(obj)])


VECTORS = [
    # Link Status Alignment with the initial sequence numbers (RFC 4165 4.1.2).
    ("01000b020000001400ffffff00ffffff00000001",
     '{"class":11,"type":2,"bsn":16777215,"fsn":16777215,"link_status":1,"link_status_name":"Alignment"}'),
    # ITU COO: SLC 3 (label SLS), FSN 85.
    ("01000b010000001800ffffff000000000080024000301155",
     '{"class":11,"type":1,"bsn":16777215,"fsn":0,"priority":0,"mtp3":{"si":0,"ni":2,"mp":0,"opc":1,"dpc":2,'
     '"sls":3,"snm":{"message":"COO","h0":1,"h1":1,"slc":3,"fsn":85}}}'),
    # ISUP GRS in an MSU.
    ("01000b010000001c00ffffff00000001008502400090070017010101",
     '{"class":11,"type":1,"bsn":16777215,"fsn":1,"priority":0,"mtp3":{"si":5,"ni":2,"mp":0,"opc":1,"dpc":2,'
     '"sls":9,"data":"070017010101"}}'),
]
for hexstr, want in VECTORS:
    r = decode(hexstr)
    c.check("decode " + want[:60], r.returncode == 0 and r.stdout.strip() == want, r.stdout + r.stderr)
    r2 = run([BIN, "encode", "m2pa", r.stdout.strip()])
    c.check("encodes back to the same octets " + hexstr[:24], r2.returncode == 0 and r2.stdout.strip() == hexstr,
            r2.stdout + r2.stderr)

# ANSI: 24-bit point codes, SLTA with SLC in the message.
r = decode("01000b010000001e00ffffff000000040082060504030201002133112233", "ansi")
ok = r.returncode == 0
if ok:
    j = json.loads(r.stdout)
    ok = j["mtp3"]["dpc"] == 0x040506 and j["mtp3"]["opc"] == 0x010203 and j["mtp3"]["snm"] == {
        "message": "SLTA", "h0": 1, "h1": 2, "slc": 3, "pattern": "112233"}
c.check("decode ANSI SLTA", ok, r.stdout + r.stderr)

MESSAGES = [
    {"class": 11, "type": 2, "bsn": 1, "fsn": 2, "link_status": 2, "filler": "a5a5"},
    {"class": 11, "type": 1, "bsn": 5, "fsn": 6},
    {"class": 11, "type": 1, "bsn": 5, "fsn": 6, "priority": 0,
     "mtp3": {"si": 0, "ni": 2, "mp": 0, "opc": 1, "dpc": 2, "sls": 0,
              "snm": {"message": "UPU", "destination": 300, "user": 5, "cause": 2}}},
    {"class": 11, "type": 1, "bsn": 5, "fsn": 7, "priority": 0,
     "mtp3": {"si": 0, "ni": 2, "mp": 0, "opc": 1, "dpc": 2, "sls": 4,
              "snm": {"message": "XCO", "slc": 4, "fsn": 123456}}},
    {"class": 11, "type": 1, "bsn": 5, "fsn": 8, "priority": 0,
     "mtp3": {"si": 0, "ni": 2, "mp": 0, "opc": 1, "dpc": 2, "sls": 0, "snm": {"message": "TRA"}}},
]
for m in MESSAGES:
    r = encode(m)
    ok = r.returncode == 0
    back = json.loads(decode(r.stdout.strip()).stdout) if ok else None
    if ok and "mtp3" in m:
        ok = back["mtp3"]["snm"]["message"] == m["mtp3"]["snm"]["message"] and all(
            back["mtp3"]["snm"][k] == v for k, v in m["mtp3"]["snm"].items())
    elif ok:
        ok = all(back[k] == v for k, v in m.items())
    c.check("JSON -> hex -> JSON " + json.dumps(m)[:70], ok, r.stdout + r.stderr + str(back))

r = decode("01000b0300000010ffffffffffffffff")
c.check("decode rejects an unknown message type", r.returncode != 0 and "unsupported message type" in r.stderr,
        r.stderr)
r = decode("01000b01000000110000000000000000")
c.check("decode rejects a wrong length", r.returncode != 0 and "bad message length" in r.stderr, r.stderr)
r = encode({"class": 11, "type": 2, "link_status": 12})
c.check("encode rejects link status 12", r.returncode != 0 and "out of range" in r.stderr, r.stderr)
r = encode({"class": 11, "type": 1, "mtp3": {"si": 0, "opc": 1, "dpc": 2, "snm": {"message": "XYZ"}}})
c.check("encode rejects an unknown SNM message", r.returncode != 0 and "unknown SNM" in r.stderr, r.stderr)
c.finish()

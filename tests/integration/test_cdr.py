"""Call detail records (issue 17), first slice: the CSV and JSON-lines files of a daemon carrying SIPp calls
through its simulated exchange, and kill -9 in the middle of a run.

The verdicts on the calls come from SIPp (each scenario's exit code: answered, 486, CANCEL); the CDR files are
what is under test: one record per call, causes 16/17/31, no answer time for the unanswered ones. Then a load
of calls is cut by SIGKILL: every line in both files is a whole record (CSV: the header's number of fields;
JSON: parses), and after a restart the same files go on (no second header, the old records kept)."""
import csv
import io
import json
import os
import shutil
import subprocess
import tempfile

from calltest import free_port, scenario, sip_port, sipp_args, uac, wait_circuits_reset
from harness import Checks, Daemon, sim_exchange_gateway, wait_until

c = Checks()
tmp = tempfile.mkdtemp(prefix="isupgw-cdr-")
cdr_dir = os.path.join(tmp, "cdr")
SIM_PORT = free_port()
GW = sim_exchange_gateway(SIM_PORT, ring_ms=1000, extra=f"""
cdr: {{directory: {cdr_dir}, sync_interval_ms: 100}}
""")
CSV = os.path.join(cdr_dir, "cdr.csv")
JSONL = os.path.join(cdr_dir, "cdr.jsonl")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def csv_rows():
    text = read(CSV)
    return text, list(csv.reader(io.StringIO(text)))


def whole_records():
    """(csv ok, json ok, csv records, json records, detail)."""
    text, rows = csv_rows()
    header = rows[0] if rows else []
    csv_ok = text.endswith("\n") and all(len(r) == len(header) for r in rows) and header[:1] == ["call_id"]
    jtext = read(JSONL)
    jlines = jtext.split("\n")
    json_ok = jtext.endswith("\n")
    for line in jlines[:-1]:
        try:
            json.loads(line)
        except ValueError:
            json_ok = False
    return csv_ok, json_ok, rows[1:], jlines[:-1], (text[-300:], jtext[-300:])


d = Daemon(GW)
try:
    line = d.wait_for(r"cdr_files")
    c.check("one log line at start names the CDR directory and files", line is not None and cdr_dir in line
            and "cdr.csv" in line and "cdr.jsonl" in line, line)
    port = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    rc, err = uac("sn:uac", port, calls=3)
    c.check("SIPp: 3 answered calls", rc == 0, err[-500:])
    rc, err = uac(scenario("uac_expect.xml", 486), port, service="99017", calls=2)
    c.check("SIPp: 2 busy calls (486)", rc == 0, err[-500:])
    rc, err = uac(scenario("uac_cancel.xml"), port)
    c.check("SIPp: 1 call cancelled while ringing", rc == 0, err[-500:])
    # The writer thread writes each batch to the CSV file, then to the JSON one: wait for both.
    c.check("6 CSV records", wait_until(lambda: len(csv_rows()[1]) == 7, 5), read(CSV))
    wait_until(lambda: len(whole_records()[3]) == 6, 5)
    _, rows = csv_rows()
    header, recs = rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]
    causes = sorted(r["cause"] for r in recs)
    c.check("causes: 16 x3 (answered), 17 x2 (busy), 31 (CANCEL)", causes == ["16", "16", "16", "17", "17", "31"],
            causes)
    c.check("answered calls have answer and release times, unanswered none",
            all((r["answer"] != "") == (r["cause"] == "16") for r in recs) and all(r["release"] for r in recs), recs)
    c.check("every record names the ingress trunk and the egress trunk group", all(r["egress_trunk"] == "exchange" and r["ingress_trunk"] == "local" and
                                                                           r["direction"] == "sip-to-isup" for r in recs), recs)
    csv_ok, json_ok, _, jrecs, detail = whole_records()
    c.check("JSON lines: the same 6 records", json_ok and len(jrecs) == 6 and
            sorted(json.loads(j)["cause"] for j in jrecs) == [16, 16, 16, 17, 17, 31], detail)

    # kill -9 while SIPp drives 20 calls/s.
    load = subprocess.Popen(sipp_args("sn:uac", free_port(), ["-s", "4930123456", "-m", "2000", "-r", "20"]) +
                            [f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tempfile.gettempdir())
    c.check("records being written under load", wait_until(lambda: len(csv_rows()[1]) > 40, 20), len(csv_rows()[1]))
    d.proc.kill()
    d.proc.wait()
    load.kill()
    load.wait()
    csv_ok, json_ok, crecs, jrecs, detail = whole_records()
    c.check("after kill -9: every CSV line a whole record", csv_ok, detail[0])
    c.check("after kill -9: every JSON line parses, the file ends in a newline", json_ok, detail[1])
    before = len(crecs)
    # The writer thread writes a batch (the records of 100 ms, more after a slow fdatasync) to the CSV file,
    # then to the JSON file: a kill between the two write(2)s leaves the JSON file one batch short.
    cids = [r[0] for r in crecs]
    jids = [str(json.loads(j).get("call_id")) for j in jrecs] if json_ok else []
    short, long_ = sorted((cids, jids), key=len)
    c.check("after kill -9: the JSON records are the CSV records, in order, but for the kill's last batch (<= 8)",
            json_ok and long_[:len(short)] == short and len(long_) - len(short) <= 8, (len(jids), before))
finally:
    d.cleanup()

# The restart continues the files.
d = Daemon(GW)
try:
    port = sip_port(d)
    c.check("restart: link up", wait_circuits_reset(d), d.lines[-10:])
    rc, err = uac("sn:uac", port)
    c.check("restart: SIPp: 1 answered call", rc == 0, err[-500:])
    c.check("restart: the CSV file continues (one more record, old ones kept)",
            wait_until(lambda: len(csv_rows()[1]) == before + 2, 5), (len(csv_rows()[1]), before))
    text, rows = csv_rows()
    c.check("restart: one header only", sum(1 for r in rows if r[:1] == ["call_id"]) == 1, text[:300])
    csv_ok, json_ok, _, _, detail = whole_records()
    c.check("restart: both files whole", csv_ok and json_ok, detail)
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

"""A real Prometheus server (Debian's prometheus) scrapes the gateway's /metrics
every second, with the bearer token from a file, while SIPp places 100 calls
through the gateway to its simulated exchange; afterwards a PromQL query through
Prometheus' HTTP API returns the completed-call count SIPp reports
(SuccessfulCall in its statistics file). Prometheus runs on a free port with a
generated configuration and its storage in a temporary directory."""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request

from calltest import free_port, sip_port, sipp_args, wait_circuits_reset
from harness import Checks, Daemon, sim_exchange_gateway, wait_until
from mgmtapi import api_url, request, token_file

CALLS = 100
c = Checks()
prom_bin = shutil.which("prometheus")
if not prom_bin:
    c.skip("prometheus is not installed (scripts/setup.sh installs Debian's prometheus)")

TOKEN = "prometheus-token-0123456789"
tok = token_file(TOKEN)
SIM_PORT = free_port()
GW = sim_exchange_gateway(SIM_PORT, ring_ms=100, extra=f"""
management:
  listen: {{address: 127.0.0.1, port: 0}}
  token_file: {tok}
""")
work = tempfile.mkdtemp(prefix="isupgw-prom-")
d = Daemon(GW)
prom = None


def promql(base, q):
    """The single value of an instant query, or None."""
    try:
        with urllib.request.urlopen(base + "/api/v1/query?" + urllib.parse.urlencode({"query": q}), timeout=5) as r:
            res = json.load(r)["data"]["result"]
    except OSError:
        return None
    return float(res[0]["value"][1]) if len(res) == 1 else None


try:
    url = api_url(d)
    c.check("management url logged", url is not None, d.lines[-10:])
    sport = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    target = urllib.parse.urlparse(url).netloc
    ppath = os.path.join(work, "prometheus.yml")
    with open(ppath, "w") as f:
        f.write(f"""global: {{scrape_interval: 1s, evaluation_interval: 1s}}
scrape_configs:
  - job_name: isupgw
    authorization: {{type: Bearer, credentials_file: {tok}}}
    static_configs: [{{targets: ["{target}"]}}]
""")
    pport = free_port()
    base = f"http://127.0.0.1:{pport}"
    prom = subprocess.Popen([prom_bin, f"--config.file={ppath}", f"--storage.tsdb.path={work}/data",
                             f"--web.listen-address=127.0.0.1:{pport}", "--log.level=warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def ready():
        try:
            with urllib.request.urlopen(base + "/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    c.check("prometheus ready", wait_until(ready, 30, 0.2) is not None)
    c.check("prometheus scrapes the gateway (up == 1)", wait_until(lambda: promql(base, "up") == 1.0, 15, 0.2)
            is not None, promql(base, "up"))

    stf = os.path.join(work, "sipp.csv")
    r = subprocess.run(sipp_args("sn:uac", free_port(), ["-s", "4930123456", "-m", str(CALLS), "-r", "25", "-d", "300",
                                                         "-trace_stat", "-stf", stf, "-fd", "1"]) +
                       [f"127.0.0.1:{sport}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=120, cwd=work)
    with open(stf) as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    successful = int(rows[-1]["SuccessfulCall(C)"]) if rows else -1
    c.check(f"SIPp: {CALLS} calls, all successful", r.returncode == 0 and successful == CALLS,
            (r.returncode, successful, r.stderr[-400:]))
    # The last scrape after the last BYE carries the final count (1 s interval).
    got = wait_until(lambda: (lambda v: v if v == successful else None)(
        promql(base, 'isupgw_call_completed_total{job="isupgw"}')), 15, 0.3)
    c.check("PromQL isupgw_call_completed_total == SIPp's successful calls", got == successful,
            (promql(base, 'isupgw_call_completed_total{job="isupgw"}'), successful))
    v = promql(base, 'isupgw_call_setup_gateway_seconds_count{direction="sip_to_isup"}')
    c.check("setup-time histogram: one observation per call", v == CALLS, v)
    v = promql(base, 'max_over_time(isupgw_calls_active[1m])')
    c.check("active-calls gauge seen above 0 during the run", v is not None and v > 0, v)
    st, counters = request(url + "/counters", token=TOKEN)
    c.check("the gateway's own counter agrees", counters.get("call.completed") == successful,
            counters.get("call.completed"))
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
finally:
    if prom:
        prom.terminate()
        try:
            prom.wait(10)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait()
    d.cleanup()
    os.unlink(tok)
    shutil.rmtree(work, ignore_errors=True)
c.finish()

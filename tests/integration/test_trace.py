"""One trace per call (issue 17): a SIP-I call (SIPp -> isupgw, trunk profile sip_i -> ISUP over M3UA/TCP to the
gateway's simulated exchange, its circuit's media on our MG simulator over MGCP) and its pcap, fetched with
GET /calls/{id}/pcap (the call id is the CDR's).

Verdicts come from outside the trace: tshark 4.0 decodes every frame (sip, isup in SIP-I bodies, m3ua+isup,
mgcp; MGCP on the MG simulator's ephemeral port is decoded with -d udp.port==PORT,mgcp as it would be on
2427 without) with nothing malformed; the SIP messages are exactly those SIPp's -trace_msg log
shows, in its order; the ISUP ones are the basic call of Q.764 2.1-2.3 (IAM, ACM, ANM; REL, RLC after the
caller's BYE); every MGCP command has its response and the connection is created first and deleted last
(RFC 3435 2.3). The rolling pcapng file carries the same frames with the comment call=ID."""
import csv
import os
import re
import shutil
import subprocess
import tempfile

from calltest import free_port, sip_port, sipp_args, wait_circuits_reset
from harness import Checks, Daemon, sim_exchange_gateway, wait_until
from mgmtapi import api_url
from mgsim import MgSim
from cdp import Chromium
import urllib.request

c = Checks()
if shutil.which("tshark") is None:
    print("SKIP: tshark not installed (scripts/setup.sh installs it)")
    raise SystemExit(77)
tmp = tempfile.mkdtemp(prefix="isupgw-trace-")
out_dir = os.path.join(tmp, "out")
sim = MgSim("mg1", "--spans", "2", "--media-address", "127.0.0.1")
SIM_PORT = free_port()
GW = sim_exchange_gateway(SIM_PORT, ring_ms=300, extra=f"""
media_gateways:
  - {{name: mg1, address: {{address: 127.0.0.1, port: {sim.port or 9}}}, local: {{address: 127.0.0.1}}}}
management: {{listen: {{address: 127.0.0.1, port: 0}}}}
cdr: {{directory: {out_dir}, sync_interval_ms: 0}}
trace: {{}}
""")
for old, new in (('allowed_sources: ["127.0.0.0/8"]}]', 'allowed_sources: ["127.0.0.0/8"], profile: sip_i}]'),
                 ('cics: ["1-31"]}]', 'cics: ["1-31"], media_gateway: mg1, endpoints: "ds/e1-{span}/{timeslot}@mg1"}]')):
    assert old in GW, old
    GW = GW.replace(old, new, 1)

ISUP_NAMES = {1: "IAM", 6: "ACM", 9: "ANM", 12: "REL", 16: "RLC", 44: "CPG"}
FIELDS = ["frame.number", "frame.time_epoch", "frame.protocols", "frame.comment", "_ws.malformed",
          "_ws.expert.severity", "ip.src", "udp.srcport", "sip.Method", "sip.Status-Code", "sip.Call-ID",
          "m3ua.protocol_data_opc", "isup.message_type", "isup.cic", "mgcp.req.verb", "mgcp.rsp.rspcode",
          "mgcp.transid", "isup.called"]


def tshark(path, extra=()):
    """One dict per frame of FIELDS (multi-valued fields joined by ',')."""
    r = subprocess.run(["tshark", "-r", path, "-d", f"udp.port=={sim.port},mgcp", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
                        "-E", "aggregator=,"] + [a for f in FIELDS for a in ("-e", f)] + list(extra),
                       capture_output=True, text=True, timeout=60)
    return [dict(zip(FIELDS, line.split("\t"))) for line in r.stdout.splitlines()], r.stderr


def sipp_messages(path):
    """SIPp's -trace_msg log: [(sent|received, start line label)] in its order."""
    out = []
    with open(path, errors="replace") as f:
        text = f.read()
    for m in re.finditer(r"message (sent|received)[^\n]*\n\n([^\r\n]+)", text):
        first = m.group(2)
        label = re.match(r"SIP/2.0 (\d{3})", first)
        out.append((m.group(1), label.group(1) if label else first.split(" ")[0]))
    return out


d = Daemon(GW)
try:
    c.check("mg-sim ready", sim.port is not None, sim.first_line)
    line = d.wait_for(r"trace_files", 10)
    c.check("one log line at start names the trace directory and file", line is not None and out_dir in line and
            ".pcapng" in line, line)
    url = api_url(d)
    port = sip_port(d)
    c.check("link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    msgs = os.path.join(tmp, "sipp_msgs.log")
    r = subprocess.run(sipp_args("sn:uac", free_port(), ["-s", "4930123456", "-m", "1", "-trace_msg", "-message_file",
                                                         msgs]) + [f"127.0.0.1:{port}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60, cwd=tmp)
    c.check("SIPp: one answered SIP-I call", r.returncode == 0, r.stderr[-500:])
    expected_sip = sipp_messages(msgs)
    rows = []
    c.check("the call's CDR", wait_until(lambda: os.path.exists(os.path.join(out_dir, "cdr.csv")) and
                                         len(list(csv.DictReader(open(os.path.join(out_dir, "cdr.csv"))))) == 1, 10))
    rows = list(csv.DictReader(open(os.path.join(out_dir, "cdr.csv"))))
    call = rows[0]["call_id"] if rows else "0"
    # The last messages (RLC, DLCX and its response) may follow the CDR: wait until the pcap holds the RLC and the 250.
    pcap_path = os.path.join(tmp, f"call-{call}.pcapng")

    def fetch():
        with urllib.request.urlopen(f"{url}/calls/{call}/pcap", timeout=10) as resp:
            data = resp.read()
        with open(pcap_path, "wb") as f:
            f.write(data)
        frames, _ = tshark(pcap_path)
        done = any(f["mgcp.rsp.rspcode"] == "250" for f in frames) and any(f["isup.message_type"] == "16" for f in frames)
        return frames if done else None

    frames = wait_until(fetch, 10) or tshark(pcap_path)[0]
    c.check("GET /calls/{id}/pcap: a pcapng file tshark reads", len(frames) > 0, frames)
    c.check("nothing malformed (_ws.malformed on no frame)", all(not f["_ws.malformed"] for f in frames),
            [(f["frame.number"], f["frame.protocols"]) for f in frames if f["_ws.malformed"]])
    c.check("every frame carries the comment call=ID", all(f["frame.comment"] == f"call={call}" for f in frames),
            [f["frame.comment"] for f in frames])
    times = [float(f["frame.time_epoch"]) for f in frames]
    c.check("frames in capture order (timestamps never go back)", times == sorted(times), times)

    sip = [f for f in frames if "sip" in f["frame.protocols"].split(":")]
    gw_sip_port = str(port)
    got_sip = [("received" if f["udp.srcport"] == gw_sip_port else "sent", f["sip.Method"] or f["sip.Status-Code"])
               for f in sip]
    c.check("SIP: exactly SIPp's messages, in SIPp's order", got_sip == expected_sip, (got_sip, expected_sip))
    c.check("SIP: one Call-ID", len({f["sip.Call-ID"] for f in sip}) == 1, [f["sip.Call-ID"] for f in sip])
    sip_i = [f for f in sip if f["sip.Status-Code"] in ("180", "183", "200") and f["udp.srcport"] == gw_sip_port
             and f["isup.message_type"]]
    c.check("SIP-I: the gateway's 18x and 200 carry ISUP tshark decodes (ACM/CPG, ANM)",
            {ISUP_NAMES.get(int(f["isup.message_type"].split(",")[0]), "?") for f in sip_i} >= {"ANM"},
            [(f["sip.Status-Code"], f["isup.message_type"]) for f in sip])

    m3ua = [f for f in frames if "m3ua" in f["frame.protocols"].split(":")]
    c.check("every M3UA frame decodes to ISUP", all("isup" in f["frame.protocols"] for f in m3ua),
            [f["frame.protocols"] for f in m3ua])
    isup = [ISUP_NAMES.get(int(f["isup.message_type"]), f["isup.message_type"]) for f in m3ua]
    c.check("ISUP: IAM, ACM, ANM, REL, RLC (Q.764 2.1-2.3; CPG allowed after ACM)",
            [m for m in isup if m != "CPG"] == ["IAM", "ACM", "ANM", "REL", "RLC"], isup)
    c.check("ISUP: one circuit", len({f["isup.cic"] for f in m3ua}) == 1, [f["isup.cic"] for f in m3ua])

    mgcp = [f for f in frames if "mgcp" in f["frame.protocols"].split(":")]
    cmds = [(f["mgcp.req.verb"], f["mgcp.transid"]) for f in mgcp if f["mgcp.req.verb"]]
    rsps = {f["mgcp.transid"] for f in mgcp if f["mgcp.rsp.rspcode"]}
    c.check("MGCP: CRCX first, DLCX last, every command answered",
            bool(cmds) and cmds[0][0] == "CRCX" and cmds[-1][0] == "DLCX" and all(t in rsps for _, t in cmds),
            [(f["mgcp.req.verb"], f["mgcp.rsp.rspcode"], f["mgcp.transid"]) for f in mgcp])
    c.check("only SIP, M3UA and MGCP frames", len(sip) + len(m3ua) + len(mgcp) == len(frames),
            [f["frame.protocols"] for f in frames])

    with urllib.request.urlopen(f"{url}/calls/{call}/ladder", timeout=10) as resp:
        page = resp.read().decode()
    c.check("GET /calls/{id}/ladder: one arrow per frame of the pcap", page.count('<g class="msg"') == len(frames),
            (page.count('<g class="msg"'), len(frames)))
    # The page in a real browser: headless Debian chromium over the DevTools protocol (cdp.py).
    iam = next((f for f in frames if f["isup.message_type"] == "1" and "m3ua" in f["frame.protocols"]), None)
    browser = Chromium(f"{url}/calls/{call}/ladder", free_port()) if shutil.which("chromium") else None
    c.check("chromium installed (scripts/setup.sh installs it)", browser is not None)
    if browser:
        try:
            c.check("chromium: the page loaded", wait_until(lambda: browser.eval("document.readyState") == "complete" and
                                                            browser.eval("document.querySelector('svg') !== null"), 20))
            arrows = browser.eval("document.querySelectorAll('svg g.msg').length")
            c.check("chromium DOM: one arrow per message of the call's pcap", arrows == len(frames), (arrows, len(frames)))
            box = browser.eval("(() => { const g = [...document.querySelectorAll('svg g.msg')]"
                               ".find(g => g.textContent.startsWith('IAM')); if (!g) return null;"
                               " g.scrollIntoView(); const r = g.getBoundingClientRect();"
                               " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
            c.check("chromium DOM: an IAM arrow", box is not None)
            shown = ""
            if box:
                browser.click(box[0], box[1])
                shown = wait_until(lambda: browser.eval(
                    "[...document.querySelectorAll('pre.fields')].filter(p => !p.hidden).map(p => p.textContent).join()"),
                    10) or ""
            c.check("chromium: clicking the IAM shows its called number (as tshark decodes it from the pcap)",
                    iam is not None and iam["isup.called"] != "" and iam["isup.called"] in shown and
                    "called_party_number" in shown, (iam and iam["isup.called"], shown[:400]))
            shot = os.path.join(os.getcwd(), "trace_ladder.png")
            browser.screenshot(shot)
            c.check(f"screenshot kept: {shot}", os.path.getsize(shot) > 10000, os.path.getsize(shot))
        finally:
            browser.close()
    with urllib.request.urlopen(f"{url}/ladder", timeout=10) as resp:
        index = resp.read().decode()
    c.check("GET /ladder links the call's page", f'href="/calls/{call}/ladder"' in index, index[-300:])
    rc, _ = d.stop()
    c.check("gateway stops cleanly", rc == 0, rc)
    files = sorted(p for p in os.listdir(out_dir) if p.endswith(".pcapng"))
    c.check("one rolling pcapng file in the CDR directory", len(files) == 1, files)
    rolling, err = tshark(os.path.join(out_dir, files[0])) if files else ([], "")
    tagged = [f for f in rolling if f["frame.comment"] == f"call={call}"]
    c.check("rolling file: the same frames carry call=ID", [f["frame.protocols"] for f in tagged] ==
            [f["frame.protocols"] for f in frames], (len(tagged), len(frames)))
    decoded = [f for f in rolling if not f["_ws.malformed"] and
               {"sip", "m3ua", "mgcp"} & set(f["frame.protocols"].split(":"))]
    c.check("rolling file: every frame (ASPs, GRS, keepalives too) decodes as sip, m3ua or mgcp, nothing malformed",
            rolling and len(decoded) == len(rolling),
            [f["frame.protocols"] for f in rolling if f not in decoded][:5])
finally:
    d.cleanup()
    sim.stop()
    if os.environ.get("KEEP_TRACE_TMP"):
        print("kept", tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
c.finish()

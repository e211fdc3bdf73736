"""Runs inside the VM (kernel SCTP), issue 24: isupgw starts (its MTP restarts,
Q.704 9.2) with one M2PA link towards a scripted strict peer (m2pa_strict_peer.py)
that ignores the first Alignment (it accepts one only while its own alignment
timer runs, a second later) and drops every message arriving before its own link
test has passed, and user traffic before isupgw's TRA.
Judged by tshark on a capture of lo inside the VM, counting every message:
  - one SCTP association (one INIT): the link aligned on the first one, isupgw's
    Alignment repeated until the peer's alignment timer ran;
  - isupgw's messages after its SLTA to the peer's SLTM (the peer's test): TRA,
    after the peer's TRA, then ISUP; nothing of isupgw's reached the peer before
    its test or its route allowed;
  - the first GRS/GRA round complete: every GRS answered by a GRA, none repeated;
    the peer's RSC answered by RLC.
usage: guest_isupgw_m2pa_strict.py ISUPGW_BIN"""
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
os.environ["ISUPGW_BIN"] = sys.argv[1]
from harness import BIN, Checks  # noqa: E402

PORT, RSC_CIC = 3565, 7
CONFIG = """
node: {name: gw}
logging: {level: info, subsystems: {isup: debug}}
ss7:
  point_code_format: itu
  linksets:
    - name: ls-peer
      local_pc: 0-0-1
      adjacent_pc: 0-0-2
      proving_ms: 500
      links:
        - {slc: 0, transport: sctp, local: {address: 127.0.0.1, port: %d}}
  trunk_groups: [{name: tg, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"]}]
""" % PORT

# Q.704 15 headings (H1 << 4 | H0) of SI 0, Q.707 of SI 1; ISUP message types (Q.763).
SNM = {0x17: "TRA", 0x27: "TRW"}
SNTM = {0x11: "SLTM", 0x21: "SLTA"}
ISUP = {0x10: "RLC", 0x12: "RSC", 0x17: "GRS", 0x29: "GRA"}
LINK_STATUS = {1: "Alignment", 2: "Proving", 3: "Proving", 4: "Ready", 9: "Out of Service"}


def _list(v):
    return v if isinstance(v, list) else ([] if v is None else [v])


def _int(v):
    return int(v, 0) if isinstance(v, str) else v


def wire(pcap):
    """Every M2PA message in the capture, in order: (from_isupgw, tsn, name)."""
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-d", "sctp.ppi==5,m2pa", "-T", "json", "--no-duplicate-keys", "-J",
                        "sctp m2pa mtp3 mtp3mg isup"], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError("tshark: " + r.stderr[-400:])
    out, seen = [], set()
    for packet in json.loads(r.stdout or "[]"):
        layers = packet["_source"]["layers"]
        m2pa, mtp3 = _list(layers.get("m2pa")), _list(layers.get("mtp3"))
        mtp3mg, isup = _list(layers.get("mtp3mg")), _list(layers.get("isup"))
        for sctp in _list(layers.get("sctp")):
            sport = _int(sctp.get("sctp.srcport"))
            for k, chunk in sctp.items():
                if not k.startswith("DATA chunk"):
                    continue
                for c in _list(chunk):
                    if _int(c.get("sctp.data_payload_proto_id")) != 5 or not m2pa:
                        continue
                    m = m2pa.pop(0)
                    key = (sport, _int(c.get("sctp.data_tsn_raw", c.get("sctp.data_tsn"))))
                    name = None
                    if _int(m.get("m2pa.type")) == 2:
                        name = LINK_STATUS.get(_int(m.get("m2pa.status")), "Link Status %s" % m.get("m2pa.status"))
                    elif _int(m.get("m2pa.length")) > 16 and mtp3:
                        si = _int(mtp3.pop(0)["Service information octet"]["mtp3.service_indicator"])
                        if si in (0, 1) and mtp3mg:
                            g = mtp3mg.pop(0)
                            if si == 0:
                                h = _int(g.get("mtp3mg.h0")) | _int(g.get("mtp3mg.h1")) << 4
                                name = SNM.get(h, "SNM %02x" % h)
                            else:
                                h = _int(g.get("mtp3mg.test.h0")) | _int(g.get("mtp3mg.test.h1")) << 4
                                name = SNTM.get(h, "SNTM %02x" % h)
                        elif si == 5 and isup:
                            i = isup.pop(0)
                            t = _int(i.get("isup.message_type"))
                            name = "%s cic=%d" % (ISUP.get(t, "ISUP %02x" % t), _int(i.get("isup.cic")))
                        else:
                            name = "SI %d" % si
                    if name is None or key in seen:  # acknowledgements; SCTP retransmissions
                        continue
                    seen.add(key)
                    out.append((sport == PORT, name))
    return out


def inits(pcap):
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "sctp.chunk_type == 1", "-T", "fields", "-e",
                        "frame.number"], capture_output=True, text=True, timeout=600)
    return len(r.stdout.split())


def counter(lines, name):
    for l in lines:
        m = re.search(r"counter name=%s value=(\d+)" % re.escape(name), l)
        if m:
            return int(m.group(1))
    return None


def wait_listening(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open("/proc/net/sctp/eps") as f:
            if any(" %d " % port in l for l in f.readlines()[1:]):
                return True
        time.sleep(0.1)
    return False


c = Checks()
t0 = time.monotonic()
folder = tempfile.mkdtemp(prefix="m2pa-strict-", dir="/dev/shm")
pcap = os.path.join(folder, "lo.pcapng")
cap_err = open(os.path.join(folder, "dumpcap.txt"), "w")
cap = subprocess.Popen(["dumpcap", "-q", "-i", "lo", "-w", pcap], stderr=cap_err, stdout=subprocess.DEVNULL)
gw = peer = None
gw_lines = []
try:
    deadline = time.monotonic() + 30
    while not (os.path.exists(pcap) and os.path.getsize(pcap) > 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    c.check("dumpcap captures lo", os.path.exists(pcap) and cap.poll() is None)
    with open(os.path.join(folder, "gw.yaml"), "w") as f:
        f.write(CONFIG)
    gw_log = open(os.path.join(folder, "gw.log"), "w")
    gw = subprocess.Popen([BIN, "run", "--config", os.path.join(folder, "gw.yaml")], stderr=gw_log,
                          stdout=subprocess.DEVNULL)
    c.check("isupgw listens for the M2PA link (SCTP port %d)" % PORT, wait_listening(PORT, 30))
    peer = subprocess.run([sys.executable, os.path.join(HERE, "m2pa_strict_peer.py"), str(PORT), "2", "1",
                           str(RSC_CIC), "90"], capture_output=True, text=True, timeout=150)
    seen = json.loads(peer.stdout.strip().splitlines()[-1]) if peer.stdout.strip() else {}
    print("peer:", json.dumps(seen))
    gw.send_signal(signal.SIGTERM)
    try:
        c.check("isupgw stops cleanly", gw.wait(20) == 0)
    except subprocess.TimeoutExpired:
        gw.kill()
        c.check("isupgw stops cleanly", False)
    gw_log.close()
    with open(os.path.join(folder, "gw.log"), errors="replace") as f:
        gw_lines = f.read().splitlines()
    time.sleep(0.5)  # the last packets reach the capture file
    cap.send_signal(signal.SIGINT)
    cap.wait(30)

    # --- Verdicts from the capture -----------------------------------------------------------------
    n_inits = inits(pcap)
    msgs = wire(pcap)
    print(f"capture: {len(msgs)} M2PA messages, {n_inits} SCTP INIT")
    for from_gw, name in msgs:
        if not name.startswith(("Alignment", "Proving")):
            print(("  isupgw -> peer  " if from_gw else "  peer -> isupgw  ") + name)
    by = collections.Counter((f, n.split(" cic")[0]) for f, n in msgs)
    print("counts:", {("isupgw" if f else "peer") + " " + n: k for (f, n), k in sorted(by.items())})
    c.check("one SCTP association: the link aligned on the first (1 INIT)", n_inits == 1, n_inits)
    gw_msgs = [n for f, n in msgs if f]
    first_proving = gw_msgs.index("Proving") if "Proving" in gw_msgs else len(gw_msgs)
    alignments = gw_msgs[:first_proving].count("Alignment")
    c.check("isupgw repeated its Alignment until the peer's alignment timer ran (RFC 4165 4.1.2)", alignments >= 5,
            alignments)
    c.check("the peer saw Alignments before its timer and accepted one while it ran",
            seen.get("ignored_alignments", 0) >= 1 and seen.get("accepted_alignments") == 1, seen)

    def index(pred, start=0):
        for i in range(start, len(msgs)):
            if pred(*msgs[i]):
                return i
        return None

    peer_sltm = index(lambda f, n: not f and n == "SLTM")
    gw_slta = index(lambda f, n: f and n == "SLTA", (peer_sltm or 0))
    gw_tra = index(lambda f, n: f and n == "TRA")
    peer_tra = index(lambda f, n: not f and n == "TRA")
    gw_first_isup = index(lambda f, n: f and n.startswith(("GRS", "RLC", "ISUP")))
    c.check("capture has the peer's SLTM and isupgw's SLTA to it", None not in (peer_sltm, gw_slta),
            (peer_sltm, gw_slta))
    early = [n for i, (f, n) in enumerate(msgs) if f and gw_slta is not None and i < gw_slta and n not in
             ("Alignment", "Proving", "Ready", "Out of Service", "SLTM", "SLTA")]
    c.check("nothing but SLTM/SLTA from isupgw before the peer's link test passed", not early, early)
    c.check("isupgw's TRA after the peer's TRA (Q.704 9.2.4: our restart ends on it)",
            None not in (gw_tra, peer_tra) and peer_tra < gw_tra, (peer_tra, gw_tra))
    c.check("isupgw's first ISUP message after its TRA", None not in (gw_tra, gw_first_isup) and gw_tra < gw_first_isup,
            (gw_tra, gw_first_isup))
    grs = collections.Counter(n for f, n in msgs if f and n.startswith("GRS"))
    gra = collections.Counter(n.replace("GRA", "GRS") for f, n in msgs if not f and n.startswith("GRA"))
    c.check("the first GRS/GRA round completes: every GRS answered by one GRA, none repeated",
            grs and grs == gra and all(k == 1 for k in grs.values()), (dict(grs), dict(gra)))
    c.check("the peer's RSC answered by RLC", ("RSC cic=%d" % RSC_CIC) in [n for f, n in msgs if not f] and
            ("RLC cic=%d" % RSC_CIC) in [n for f, n in msgs if f])
    c.check("the peer dropped nothing (its own account)", seen.get("dropped") == [] and seen.get("rlc_received"),
            seen.get("dropped"))
    # isupgw's own account (weak: its log), the counters the README lists.
    attempts = counter(gw_lines, "m2pa.link.ls-peer/0.alignment_attempts")
    c.check("isupgw: one alignment attempt", attempts == 1, attempts)
    c.check("isupgw: its restart ended on the peer's TRA (log)",
            any("mtp3_restart linkset=ls-peer phase=end role=restarting by=tra_completes" in l for l in gw_lines),
            [l for l in gw_lines if "mtp3_restart" in l or "mtp3_tra" in l])
    print(f"scenario took {time.monotonic() - t0:.1f} s in the VM")
finally:
    for p in (gw, cap):
        if p and p.poll() is None:
            p.kill()
            p.wait()
    if c.failed:
        kept = shutil.copytree(folder, tempfile.mkdtemp(prefix="m2pa-strict-logs-", dir="/tmp"), dirs_exist_ok=True)
        print(f"logs and capture in {kept}")
c.finish()

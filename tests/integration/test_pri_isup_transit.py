"""PRI -> ISUP transit through two isupgw nodes (issue 21): libpri as the PBX (tools/pri-peer, user side,
EuroISDN, on mg-sim's LAPD) -> IUA -> node A (the PRI span, network side) -> ISUP over M3UA/TCP
(127.0.0.102) -> node B -> SIP -> SIPp UAS. The verdicts are libpri's events, SIPp's exit codes and
tshark's decode of the ISUP between the nodes (dumpcap on lo):
  - the IAM A sends for libpri's SETUP (called 5552000 national, calling 30123456 national, user provided
    and not screened, Sending complete): called party number 5552000 with NAI national (Q.931 4.5.8
    Table 4-9 type of number 2 <-> Q.763 3.9 b nature of address 3, ST for Sending complete), calling
    party number 30123456, NAI national, presentation allowed, screening "user provided, verified and
    passed" (the span trusts its PBX: trust_calling_number, Q.951 CLIP);
  - the IAMs' transmission medium requirement 0 (speech) from libpri's bearer capability speech (Q.931
    4.5.5 <-> Q.763 3.54);
  - answered, libpri releases: SIPp's BYE, libpri's cause 16 in A's REL (Q.850 value passes unchanged
    between DSS1 and ISUP: both carry Q.850's cause);
  - SIPp busy (486) -> B's REL cause 17 -> libpri's HANGUP cause 17; SIPp 404 -> cause 1 -> libpri's 1;
  - nothing malformed; afterwards no B channel busy in libpri's view nor in A's (VTY show pri-spans), and
    every circuit idle at stop in both nodes;
  - media (issue 21): A's B channels are ds/e1-1/N@mg1 and its circuits ds/e1-0/N@mg1 on mg-sim (also the
    SG). The MG's own view (mg-sim `conns`) while the answered call runs: two connections, both sendrecv, one
    on the B channel libpri was given, one on a circuit endpoint, each one's remote SDP port the other's own
    RTP port (A joined the two legs on the MG); none after every row.
  - ISUP -> PRI (the other way): SIPp -> node B -> IAM -> node A (route from its trunk group to the span) ->
    SETUP -> libpri answering by itself: libpri's RING and its HANGUP cause 16 after SIPp's BYE (B's REL 16),
    tshark: B's IAM for 6661000, A's ACM + ANM (or CON); the MG holds the B channel's and the circuit's
    connections joined while SIPp holds the call; libpri busy -> A's REL 17 -> SIPp's 486; all idle after.
Q.699's own tables were not readable in this project's library (mapping/dss1_map.h says so): the
rules checked are Q.931's and Q.763's code points and Q.850's common cause."""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

from calltest import circuits_idle, free_port, scenario, sip_port, uac, uas, wait_circuits_reset, wait_uas
from harness import Capture, Checks, Daemon, wait_until
from mgsim import SIM
from pripeer import PRI_PEER, PriPeer, stop_mg_sim
from vty import Vty
import sipt_wire

ADDR_A = "127.0.0.101"  # mg-sim (IUA), node A's VTY
ADDR_B = "127.0.0.102"  # node B's M3UA listener: the ISUP between the nodes, captured
UAS_PORT = free_port()

c = Checks()
for tool in (SIM, PRI_PEER):
    if not os.access(tool, os.X_OK):
        c.skip(os.path.basename(tool) + " not built (pri-peer needs libpri-dev)")
if not shutil.which("dumpcap") or not sipt_wire.available():
    c.skip("dumpcap/tshark/text2pcap not installed")

B = f"""
node: {{name: gw-b}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: local, address: 127.0.0.1, allowed_sources: ["127.0.0.0/8"]}},
           {{name: callee, address: 127.0.0.1, port: {UAS_PORT}}}]
ss7:
  point_code_format: itu
  m3ua_links: [{{name: from-a, role: ipsp_server, transport: tcp, local: {{address: {ADDR_B}, port: 0}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-1, links: [from-a]}}]
  trunk_groups: [{{name: b-a, opc: 0-0-2, dpc: 0-0-1, cics: ["1-31"]}}]
routes:
  - {{prefix: "", from: b-a, targets: [{{sip_trunk: callee}}]}}
  - {{prefix: "666", from: local, targets: [{{trunk_group: b-a}}]}}
"""

A = """
node: {{name: gw-a}}
management: {{vty: {{address: {addr_a}, port: 0}}}}
logging: {{level: info, subsystems: {{isup: debug}}}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
ss7:
  point_code_format: itu
  m3ua_links: [{{name: to-b, role: ipsp_client, transport: tcp, remote: {{address: {addr_b}, port: {port}}},
                routing_contexts: [1]}}]
  routes: [{{dpc: 0-0-2, links: [to-b]}}]
  trunk_groups: [{{name: a-b, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31"], media_gateway: mg1,
                  endpoints: "ds/e1-{{span}}/{{timeslot}}@mg1"}}]
media_gateways:
  - {{name: mg1, address: {{address: {addr_a}, port: {mgcp}}}, local: {{address: {addr_a}}}}}
pri_spans:
  - name: pbx
    iua: {{transport: tcp, remote: {{address: {addr_a}, port: {iua}}}}}
    interface_id: 1
    channels: ["1-15", "17-31"]
    trust_calling_number: true
    media_gateway: mg1
    endpoints: "ds/e1-{{span}}/{{timeslot}}@mg1"
    mg_span: 1
routes:
  - {{prefix: "", from: pbx, targets: [{{trunk_group: a-b}}]}}
  - {{prefix: "666", from: a-b, targets: [{{pri_span: pbx}}]}}
"""


def isup_rows(path, port):
    """(ISUP message type, called digits, called NAI, calling digits, calling NAI, APRI, screening, cause,
    cause location, malformed) per ISUP message on the M3UA association. tshark does not decode M3UA over
    TCP: the M3UA DATA messages are re-wrapped as SCTP PPID 3 first (sipt_wire, oracles.md)."""
    fields = ["isup.message_type", "isup.called", "isup.called_party_nature_of_address_indicator", "isup.calling",
              "isup.calling_party_nature_of_address_indicator", "isup.address_presentation_restricted_indicator",
              "isup.screening_indicator", "isup.cause_indicator", "isup.cause_location", "_ws.malformed",
              "isup.transmission_medium_requirement", "m3ua.protocol_data_opc"]
    msgs = [m for _, m in sipt_wire.m3ua_messages(path, port) if m[2] == 1 and m[3] == 1]  # transfer, DATA
    txt, pcap = path + ".txt", path + ".sctp.pcap"
    with open(txt, "w") as f:
        for m in msgs:
            f.write("0000 " + " ".join(f"{x:02x}" for x in m) + "\n\n")
    subprocess.run(["text2pcap", "-q", "-S", "2905,2905,3", txt, pcap], capture_output=True, timeout=60)
    rows = sipt_wire._fields(pcap, fields)
    return [tuple(sipt_wire.first(r, f) for f in fields) for r in rows], len(msgs)


tmp = tempfile.mkdtemp(prefix="isupgw-pri-transit-")
path = os.path.join(tmp, "d1.sock")
sim = subprocess.Popen([SIM, "--bind", ADDR_A, "--port", "0", "--iua", ADDR_A + ":0", "--lapd", "1=" + path],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
peer = a = b = cap = None
sim_lock = threading.Lock()


def mg_conns():
    """mg-sim's connections (its `conns`): [(endpoint, mode, own RTP port, remote SDP's port)]."""
    with sim_lock:
        sim.stdin.write("conns\n")
        sim.stdin.flush()
        out = []
        t = threading.Thread(target=lambda: out.append(sim.stdout.readline().strip()), daemon=True)
        t.start()
        t.join(5)
    line = out[0] if out else ""
    if not line.startswith("ok conns"):
        return None
    rows = []
    for f in line.split()[3:]:
        parts = f.split("|")
        kv = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
        rows.append((parts[1], parts[2], kv.get("port"), kv.get("rport")))
    return sorted(rows)


def joined(ch):
    """mg-sim's connections when A has joined B channel `ch` (ds/e1-1/ch@mg1) and a circuit (ds/e1-0/N@mg1),
    both sendrecv, each sending to the other's RTP port; else None."""
    conns = mg_conns() or []
    if len(conns) != 2 or any(x[1] != "sendrecv" for x in conns):
        return None
    (ea, _, pa, ra), (eb, _, pb, rb) = conns
    ok = (sorted([ea, eb])[1] == "ds/e1-1/%s@mg1" % ch and sorted([ea, eb])[0].startswith("ds/e1-0/") and pa and pb
          and pa != "0" and ra == pb and rb == pa)
    return conns if ok else None


try:
    ready = re.search(r"mg-sim ready address=\S+ port=(\d+)", sim.stdout.readline())
    m = re.search(r"mg-sim iua address=\S+ port=(\d+)", sim.stdout.readline())
    c.check("mg-sim listens for IUA", m is not None)
    peer = PriPeer(path, "--side", "user", "--switchtype", "euroisdn")
    c.check("libpri's D channel up on mg-sim's LAPD", peer.wait("DCHAN", "UP") is not None, peer.lines)
    b = Daemon(B)
    lb = b.wait_for(r"m3ua listening link=from-a transport=tcp address=\S+ port=(\d+)")
    m3ua = int(re.search(r"port=(\d+)", lb).group(1))
    marker = free_port()
    cap = Capture(os.path.join(tmp, "isup.pcap"), "host %s" % ADDR_B, (ADDR_B, marker))
    c.check("dumpcap captures the ISUP between the nodes", cap.started)
    a = Daemon(A.format(addr_a=ADDR_A, addr_b=ADDR_B, port=m3ua, iua=int(m.group(1)),
                        mgcp=int(ready.group(1)) if ready else 9))
    c.check("A and B: link up, circuits reset", wait_circuits_reset(a) and wait_circuits_reset(b),
            a.lines[-8:] + b.lines[-8:])
    c.check("A restarts the PRI interface: libpri's RESTART (all)",
            peer.wait("RESTART", "channel=all", timeout=15) is not None, peer.lines[-5:])
    vl = a.wait_for(r"core vty_listening address=\S+ port=(\d+)")
    vty = Vty(int(re.search(r"port=(\d+)", vl).group(1)), host=ADDR_A)

    def a_idle(timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            out = "\n".join(vty.cmd("show pri-spans"))
            if "30 B channels, 0 busy, 0 calls" in out or time.monotonic() > deadline:
                return out

    def row(name, scen, events, hangup_after=None):
        u = uas(scen, UAS_PORT)
        mark = len(peer.lines)
        peer.send("call 5552000 calling=30123456 ton=national")
        call = PriPeer.field(peer.wait("CALLING", timeout=5), "call")
        for ev in events:
            words = ev.split()
            line = peer.wait(words[0], "call=%s" % call, *words[1:], timeout=15)
            c.check(f"{name}: libpri's {ev}", line is not None, peer.lines[mark:] + a.lines[-5:] + b.lines[-5:])
            if words[0] == hangup_after:
                if line is not None and words[0] == "ANSWER":  # the MG's view of the answered transit
                    ch = PriPeer.field(line, "channel")
                    got = wait_until(lambda: joined(ch), 5)
                    c.check(f"{name}: the MG holds two sendrecv connections, B channel ds/e1-1/{ch}@mg1 and a "
                            "circuit ds/e1-0/N@mg1, each sending to the other (mg-sim conns)", got is not None,
                            mg_conns())
                peer.send("hangup 16 call=%s" % call)
        c.check(f"{name}: SIPp passes", wait_uas(u) == 0)
        c.check(f"{name}: no B channel busy in libpri's view", peer.idle() is not None, peer.lines[-4:])
        out = a_idle()
        c.check(f"{name}: none in A's (show pri-spans)", "30 B channels, 0 busy, 0 calls" in out, out)
        c.check(f"{name}: no connection left on the MG (mg-sim conns)",
                wait_until(lambda: mg_conns() == [], 5) is not None, mg_conns())

    row("answered, libpri releases", "sn:uas", ["ANSWER"], hangup_after="ANSWER")
    row("busy (486 -> 17)", scenario("uas_486.xml"), ["HANGUP cause=17"])
    row("unallocated (404 -> 1)", scenario("uas_reject.xml", 404), ["HANGUP cause=1"])

    # ISUP -> PRI (issue 21): SIPp -> node B -> IAM -> node A -> SETUP -> libpri (answering or busy by itself).
    sport_b = sip_port(b)

    def isup_to_pri(name, mode, scen, extra, want_hangup):
        peer.send("auto %s ring-delay=0" % mode)
        peer.wait("AUTO", timeout=5)
        mark = len(peer.lines)
        t = threading.Thread(target=lambda: setattr(t, "r", uac(scen, sport_b, service="6661000", extra=extra)))
        t.start()
        ring = peer.wait("RING", "called=6661000", timeout=15)
        c.check(f"ISUP->PRI {name}: libpri's RING for 6661000", ring is not None, peer.lines[mark:] + a.lines[-5:])
        if ring is not None and mode == "answer":  # the MG's view while SIPp holds the answered call
            ch = PriPeer.field(ring, "channel")
            got = wait_until(lambda: joined(ch), 5)
            c.check(f"ISUP->PRI {name}: the MG holds two sendrecv connections, B channel ds/e1-1/{ch}@mg1 and a "
                    "circuit ds/e1-0/N@mg1, each sending to the other (mg-sim conns)", got is not None, mg_conns())
        if want_hangup:
            call = PriPeer.field(ring, "call") if ring else "?"
            h = peer.wait("HANGUP", "call=%s" % call, want_hangup, timeout=15)
            c.check(f"ISUP->PRI {name}: libpri's HANGUP {want_hangup}", h is not None, peer.lines[mark:])
        t.join(60)
        rc, err = getattr(t, "r", (1, "no run"))
        c.check(f"ISUP->PRI {name}: SIPp passes", rc == 0, err[-400:])
        peer.send("auto off")
        peer.wait("AUTO", timeout=5)
        c.check(f"ISUP->PRI {name}: no B channel busy in libpri's view", peer.idle() is not None, peer.lines[-4:])
        out = a_idle()
        c.check(f"ISUP->PRI {name}: none in A's (show pri-spans)", "30 B channels, 0 busy, 0 calls" in out, out)
        c.check(f"ISUP->PRI {name}: no connection left on the MG (mg-sim conns)",
                wait_until(lambda: mg_conns() == [], 5) is not None, mg_conns())

    isup_to_pri("answered, SIP caller releases", "answer", "sn:uac", ["-d", "1500"], "cause=16")
    isup_to_pri("busy (libpri 17 -> REL 17 -> 486)", "busy", scenario("uac_expect.xml", 486), [], None)
    vty.close()
    for name, d in (("A", a), ("B", b)):
        rc, _ = d.stop()
        c.check(f"{name} stops cleanly", rc == 0, rc)
        ok, lines = circuits_idle(d)
        c.check(f"{name}: every circuit idle at stop", ok, lines)
    c.check("dumpcap: the capture is complete", cap.stop(), cap.stats)
    cap = None
    rows, n = isup_rows(os.path.join(tmp, "isup.pcap"), m3ua)
    c.check("tshark decodes every ISUP message between the nodes (%d)" % n, len(rows) == n and n > 0, rows)
    # The PRI -> ISUP rows first (IAMs from A, OPC 1), then the ISUP -> PRI ones (IAMs from B, OPC 2).
    first_b = next((i for i, r in enumerate(rows) if r[0] == "1" and r[11] == "2"), len(rows))
    transit, back = rows[:first_b], rows[first_b:]
    iams = [r for r in transit if r[0] == "1"]
    rels = [r for r in transit if r[0] == "12"]
    c.check("tshark: three IAMs from A", len(iams) == 3, rows)
    c.check("tshark: the IAMs' called party number 5552000, NAI national (3) (Table 4-9 national <-> Q.763 3.9 b)",
            all(r[1].startswith("5552000") and r[2] == "3" for r in iams), iams)
    c.check("tshark: the IAMs' calling party number 30123456, NAI national (3), presentation allowed (0), "
            "user provided verified and passed (1)",
            all(r[3] == "30123456" and r[4] == "3" and r[5] == "0" and r[6] == "1" for r in iams), iams)
    # libpri's SETUP: bearer capability speech, G.711 A-law (pri-peer's pri_sr_set_bearer) -> TMR 0 speech
    # (Q.931 4.5.5 information transfer capability 0 <-> Q.763 3.54 TMR 0; Q.699's own table not readable here).
    c.check("tshark: the IAMs' transmission medium requirement 0 (speech) for libpri's speech bearer",
            all(r[10] == "0" for r in iams), iams)
    c.check("tshark: the RELs' causes 16 (libpri's, A -> B), 17 and 1 (B -> A) -- Q.850 values unchanged",
            [r[7] for r in rels] == ["16", "17", "1"], rels)
    # ISUP -> PRI: B's two IAMs for 6661000; A's backward messages: ACM (6) or CON (7) and ANM (9) for the answered
    # call (libpri's ALERTING / CONNECT), B's REL 16 (SIPp's BYE); then A's REL 17 for libpri's busy (Q.850 17
    # unchanged; its location the PBX's, Q.850 2.2.3).
    b_iams = [r for r in back if r[0] == "1"]
    c.check("tshark: two IAMs from B for 6661000 (ISUP -> PRI)",
            len(b_iams) == 2 and all(r[1].startswith("6661000") and r[11] == "2" for r in b_iams), back)
    second = next((i for i, r in enumerate(back) if r is b_iams[-1]), len(back)) if len(b_iams) == 2 else len(back)
    answered, busy = back[:second], back[second:]
    a_types = [r[0] for r in answered if r[11] == "1"]
    c.check("tshark: A answers B's first IAM with ACM then ANM, or CON (libpri's ALERTING / CONNECT)",
            ("6" in a_types and "9" in a_types and a_types.index("6") < a_types.index("9")) or "7" in a_types, answered)
    c.check("tshark: B's REL cause 16 for SIPp's BYE", [r[7] for r in answered if r[0] == "12" and r[11] == "2"] ==
            ["16"], answered)
    busy_rels = [r for r in busy if r[0] == "12" and r[11] == "1"]
    c.check("tshark: A's REL cause 17 for libpri's busy",
            [r[7] for r in busy_rels] == ["17"], busy)
    c.check("tshark: nothing malformed in the ISUP between the nodes (%d messages)" % len(rows),
            rows and not any(r[9] for r in rows), rows)
finally:
    if cap:
        cap.stop(0)
    if peer:
        peer.stop()
    for d in (a, b):
        if d is not None:
            d.cleanup()
    stop_mg_sim(sim)
    shutil.rmtree(tmp, ignore_errors=True)
c.finish()

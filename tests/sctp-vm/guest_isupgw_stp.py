"""Runs inside the VM (kernel SCTP): osmo-stp with two static ASPs, and two isupgw
daemons as those ASPs over real SCTP (PPID 3, source ports 2906/2907 as osmo-stp
expects). ISUP travels A -> STP -> B and back: each gateway resets its circuits
with GRS towards the other's point code and the other answers GRA.

Verdicts come from outside isupgw:
  - osmo-stp's own VTY: both ASPs ASP_ACTIVE and both ASes AS_ACTIVE while the
    gateways run (show cs7 instance 0 asp / as all), both ASPs down after they stop;
  - a capture on lo in the VM (dumpcap), decoded by tshark on the host after the VM
    run (`--host-check`): each gateway's GRS reached the other through the STP and
    its GRA came back; every ISUP message that entered the STP from one ASP left it
    exactly once towards the other; what each daemon logged as sent/received is what
    the wire carried; both gateways sent ASPDN (RFC 4666 4.3.4.2) when stopped.
usage: guest_isupgw_stp.py ISUPGW_BIN | guest_isupgw_stp.py --host-check RESULTS_DIR"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
if sys.argv[1] != "--host-check":
    os.environ["ISUPGW_BIN"] = sys.argv[1]
from harness import Capture, Checks, Daemon, wait_until  # noqa: E402
import wire  # noqa: E402

A_PORT, B_PORT, STP_PORT = 2906, 2907, 2905
CONFIG = """
logging: {{level: info, subsystems: {{isup: debug, m3ua: debug}}}}
ss7:
  m3ua_links:
    - {{name: stp, role: asp, transport: sctp, remote: {{address: 127.0.0.1, port: 2905}},
       local: {{address: 127.0.0.1, port: {lport}}}, routing_contexts: [{rc}], traffic_mode: override}}
  routes: [{{dpc: default, links: [stp]}}]
  trunk_groups: [{{name: tg, opc: {opc}, dpc: {dpc}, cics: ["1-31"]}}]
"""


def vty(command, port=4239):
    """One command on osmo-stp's VTY (telnet, no login); its output."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as t:
            t.settimeout(0.5)

            def until_prompt():
                buf, deadline = b"", time.monotonic() + 10
                while not buf.rstrip().endswith(b"OsmoSTP>") and time.monotonic() < deadline:
                    try:
                        data = t.recv(65536)
                    except socket.timeout:
                        continue
                    if not data:
                        break
                    buf += data
                return buf.decode(errors="replace")

            until_prompt()
            t.sendall(command.encode() + b"\r\n")
            return until_prompt()
    except OSError as e:
        return f"vty: {e}"


def states(table, kind):
    """{name: state} from `show cs7 instance 0 asp` (kind "asp") or `... as all` (kind "as")."""
    rx = r"^(%s-\S+)\s+(?:\S+\s+)?(%s_[A-Z]+)" % (kind, kind.upper())
    return {m.group(1): m.group(2) for m in re.finditer(rx, table, re.M)}


def guest():
    c = Checks()
    results = os.environ.get("VM_RESULTS")
    c.check("results folder on the share", bool(results) and os.path.isdir(results), results)
    # The capture and the logs stay on the VM's tmpfs while it runs; 9p writes are slow under TCG.
    work = "/dev/shm/stp-vm"
    os.makedirs(work, exist_ok=True)
    pcap = os.path.join(work, "stp.pcap")
    cap = Capture(pcap, "sctp or udp port 9", ("127.0.0.1", 9), timeout=60)
    c.check("dumpcap captures lo in the VM", cap.started)
    log = open(os.path.join(work, "osmo-stp.log"), "w")
    stp = subprocess.Popen(["osmo-stp", "-c", os.path.join(HERE, "osmo-stp.cfg")], stdout=log, stderr=log)

    def listening():
        with open("/proc/net/sctp/eps") as f:
            return f" {STP_PORT} " in f.read()

    if not c.check("osmo-stp listens on SCTP 2905", wait_until(listening, 20) is not None):
        c.finish()
    a = Daemon(CONFIG.format(lport=A_PORT, rc=1, opc="0-0-1", dpc="0-0-2"))
    b = Daemon(CONFIG.format(lport=B_PORT, rc=2, opc="0-0-2", dpc="0-0-1"))
    try:
        for name, d in (("A", a), ("B", b)):
            c.check(f"{name}: SCTP association up", d.wait_for(r"sctp_connected", 60) is not None, d.lines[-10:])
        asp = wait_until(lambda: (lambda s: s if set(s.values()) == {"ASP_ACTIVE"} and len(s) == 2 else None)(
            states(vty("show cs7 instance 0 asp"), "asp")), 60, 0.5)
        c.check("osmo-stp VTY: asp-a and asp-b ASP_ACTIVE", asp is not None,
                vty("show cs7 instance 0 asp"))
        ases = states(vty("show cs7 instance 0 as all"), "as")
        c.check("osmo-stp VTY: as-a and as-b AS_ACTIVE", ases == {"as-a": "AS_ACTIVE", "as-b": "AS_ACTIVE"}, ases)
        # Our own view of the resets (the wire decides in the host check).
        for name, d in (("A", a), ("B", b)):
            c.check(f"{name}: its reset completes on the other's GRA",
                    d.wait_for(r"fsm=circuit_group group=tg cic=1 from=await_gra event=GRA to=done", 60) is not None,
                    d.lines[-15:])
            c.check(f"{name}: answered the other's GRS",
                    d.wait_for(r"isup tx group=tg cic=1 msg=GRA", 60) is not None, d.lines[-15:])
        for name, d in (("A", a), ("B", b)):
            rc, took = d.stop(15)
            c.check(f"{name}: stops cleanly", rc == 0, (rc, took))
        down = wait_until(lambda: (lambda s: s if s and "ASP_ACTIVE" not in s.values() else None)(
            states(vty("show cs7 instance 0 asp"), "asp")), 30, 0.5)
        c.check("osmo-stp VTY: both ASPs down after the gateways stopped", down is not None,
                vty("show cs7 instance 0 asp"))
    finally:
        for d in (a, b):
            d.cleanup()
        c.check("capture complete", cap.stop(30))
        stp.terminate()
        stp.wait(10)
        log.close()
        with open(log.name) as f:
            lines = [l.rstrip() for l in f if "M3UA" in l or "asp-" in l]
        print("---- osmo-stp (M3UA lines) ----")
        print("\n".join(lines[-20:]))
        if results and os.path.isdir(results):
            shutil.copy(pcap, results)
            with open(os.path.join(results, "logs.json"), "w") as f:
                json.dump({"A": a.lines, "B": b.lines}, f)
            check = os.path.join(results, "host-check")
            with open(check, "w") as f:
                f.write('#!/bin/sh\nexec python3 %s --host-check "$(dirname "$0")"\n' % os.path.abspath(__file__))
            os.chmod(check, 0o755)
    c.finish()


def host_check(results):
    """tshark on the host reads the capture taken in the VM."""
    c = Checks()
    with open(os.path.join(results, "logs.json")) as f:
        logs = json.load(f)
    chunks = wire.chunks(os.path.join(results, "stp.pcap"))
    print(f"{len(chunks)} SCTP DATA chunks captured in the VM, {len(wire.unique(chunks))} after retransmissions")
    a_in, b_in = wire.isup_between(chunks, A_PORT, STP_PORT), wire.isup_between(chunks, B_PORT, STP_PORT)
    a_out, b_out = wire.isup_between(chunks, STP_PORT, A_PORT), wire.isup_between(chunks, STP_PORT, B_PORT)
    print(f"ISUP into the STP: from A {dict(a_in)}, from B {dict(b_in)}")
    c.check("tshark: A's GRS (CIC 1) entered the STP and left it towards B",
            a_in[(1, "GRS")] >= 1 and b_out[(1, "GRS")] >= 1, (a_in, b_out))
    c.check("tshark: B's GRA (CIC 1) came back through the STP to A",
            b_in[(1, "GRA")] >= 1 and a_out[(1, "GRA")] >= 1, (b_in, a_out))
    c.check("tshark: B's GRS reached A and A's GRA reached B", b_in[(1, "GRS")] >= 1 and a_out[(1, "GRS")] >= 1 and
            a_in[(1, "GRA")] >= 1 and b_out[(1, "GRA")] >= 1, (a_in, b_in))
    # Until the STP has activated the far ASP (its ASPAC_ACK on the wire) it has no route there and rightly
    # drops what arrives (Q.704 2.3.5; RFC 4666 4.3.4.1): a gateway that starts first sends its GRS again
    # (T22/T23) after the other is up. So: every message that entered once the far ASP was active left the
    # STP exactly once, and nothing left more often than it entered.
    for name, src, dst in (("A", A_PORT, B_PORT), ("B", B_PORT, A_PORT)):
        live = wire.isup_between(wire.after_aspac_ack(chunks, dst), src, STP_PORT)
        entered, left = wire.isup_between(chunks, src, STP_PORT), wire.isup_between(chunks, STP_PORT, dst)
        c.check(f"tshark: every ISUP message from {name} that entered the STP after the far ASP was active left "
                "it exactly once, none more often than it entered", live <= left <= entered,
                {"after active": wire.diff(live, left), "overall": wire.diff(entered, left)})
    for name, sent, received in (("A", a_in, a_out), ("B", b_in, b_out)):
        c.check(f"{name}: what it logged as sent is what the wire carried",
                wire.log_isup(logs[name], "tx") == sent, wire.diff(wire.log_isup(logs[name], "tx"), sent))
        c.check(f"{name}: what it logged as received is what the wire delivered",
                wire.log_isup(logs[name], "rx") == received, wire.diff(wire.log_isup(logs[name], "rx"), received))
    for name, port in (("A", A_PORT), ("B", B_PORT)):
        aspdn = [x for x in chunks if x.sport == port and (x.m3ua_class, x.m3ua_type) == (3, 2)]
        c.check(f"tshark: {name} sent ASPDN when stopped", len(aspdn) >= 1, len(aspdn))
    c.finish()


if __name__ == "__main__":
    if sys.argv[1] == "--host-check":
        host_check(sys.argv[2])
    else:
        guest()

"""isupgw run: binds its SIP listeners, reports readiness, answers OPTIONS over
UDP and TCP (the SIP stack), counts what it receives, reloads on SIGHUP (rejecting a broken file without dying;
listeners added live, removed ones named as needing a restart) and stops
cleanly and quickly on SIGTERM."""
import os
import re
import signal
import socket

from harness import Checks, Daemon

CONFIG = """
logging: {level: info, subsystems: {sip: debug}}
sip:
  listeners:
    - {transport: udp, address: 127.0.0.1, port: 0}
    - {transport: tcp, address: 127.0.0.1, port: 0}
runtime: {shutdown_grace_ms: 1500}
"""

c = Checks()
d = Daemon(CONFIG)
try:
    c.check("ready logged", d.wait_for(r"notice core ready sip_listeners=2") is not None, "\n".join(d.lines))
    ports = {}
    for line in d.lines:
        m = re.search(r"sip listening transport=(\w+) address=127.0.0.1 port=(\d+)", line)
        if m:
            ports[m.group(1)] = int(m.group(2))
    c.check("udp and tcp bound to ephemeral ports", set(ports) == {"udp", "tcp"} and all(ports.values()), ports)

    # The SIP stack answers an OPTIONS on each transport (RFC 3261 11.2).
    def options(transport, port):
        return ("OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
                f"Via: SIP/2.0/{transport} 127.0.0.1:{port};branch=z9hG4bK-lc-{transport}\r\n"
                "From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:gw@127.0.0.1>\r\n"
                f"Call-ID: lifecycle-{transport}@probe\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n").encode()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(3)
    u.sendto(options("UDP", u.getsockname()[1]), ("127.0.0.1", ports.get("udp", 9)))
    try:
        reply = u.recv(4096).decode(errors="replace")
    except OSError:
        reply = ""
    c.check("udp OPTIONS answered 200", reply.startswith("SIP/2.0 200"), reply[:80])
    u.close()
    t = socket.create_connection(("127.0.0.1", ports.get("tcp", 9)), timeout=3)
    t.sendall(options("TCP", t.getsockname()[1]))
    try:
        reply = t.recv(4096).decode(errors="replace")
    except OSError:
        reply = ""
    c.check("tcp OPTIONS answered 200", reply.startswith("SIP/2.0 200"), reply[:80])
    t.close()

    # SIGHUP with a valid change: log levels apply live.
    with open(d.config_path, "w") as f:
        f.write(CONFIG.replace("sip: debug", "sip: warn"))
    n = len(d.lines)
    d.signal(signal.SIGHUP)
    c.check("SIGHUP reloads", d.wait_for(r"config reloaded", start=n) is not None)
    # SIGHUP with a broken file: rejected with FILE:LINE, daemon keeps running.
    with open(d.config_path, "w") as f:
        f.write("logging:\n  level: loud\n")
    n = len(d.lines)
    d.signal(signal.SIGHUP)
    line = d.wait_for(r"reload_rejected", start=n)
    c.check("broken reload rejected with FILE:LINE", line is not None and f"{d.config_path}:2:" in line, line)
    # Still running and still serving: a good file again is reloaded.
    with open(d.config_path, "w") as f:
        f.write(CONFIG)
    n = len(d.lines)
    d.signal(signal.SIGHUP)
    c.check("still running after rejected reload: a good file reloads",
            d.wait_for(r"config reloaded", start=n) is not None and d.proc.poll() is None, d.lines[-5:])

    # SIGHUP adding a UDP and a TCP listener: they answer at once (RFC 3261 11.2 OPTIONS).
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    new_port = s.getsockname()[1]
    s.close()
    extra = (f"    - {{transport: udp, address: 127.0.0.1, port: {new_port}}}\n"
             f"    - {{transport: tcp, address: 127.0.0.1, port: {new_port}}}\n")
    with open(d.config_path, "w") as f:
        f.write(CONFIG.replace("runtime:", extra.rstrip("\n") + "\nruntime:", 1))
    n = len(d.lines)
    d.signal(signal.SIGHUP)
    line = d.wait_for(r"config reloaded", start=n)
    c.check("SIGHUP adds two listeners live", line is not None and "needs_restart=0" in line, d.lines[n:])
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(3)
    probe = options("UDP", u.getsockname()[1]).replace(b"lc-UDP", b"lc-UDP2")  # a new transaction and Call-ID
    u.sendto(probe.replace(b"lifecycle-UDP", b"lifecycle-UDP2"), ("127.0.0.1", new_port))
    try:
        reply = u.recv(4096).decode(errors="replace")
    except OSError:
        reply = ""
    u.close()
    c.check("the added udp listener answers OPTIONS 200", reply.startswith("SIP/2.0 200"), reply[:80])
    try:
        t = socket.create_connection(("127.0.0.1", new_port), timeout=3)
        t.sendall(options("TCP", t.getsockname()[1]))
        reply = t.recv(4096).decode(errors="replace")
        t.close()
    except OSError as e:
        reply = str(e)
    c.check("the added tcp listener answers OPTIONS 200", reply.startswith("SIP/2.0 200"), reply[:80])
    # Removing a listener needs a restart: said by name, and it keeps listening.
    with open(d.config_path, "w") as f:
        f.write(CONFIG)
    n = len(d.lines)
    d.signal(signal.SIGHUP)
    line = d.wait_for(r"config reloaded", start=n)
    named = [l for l in d.lines[n:] if "reload_needs_restart" in l and f"127.0.0.1:{new_port}" in l]
    c.check("removing them: each named as needing a restart", line is not None and "needs_restart=2" in line and
            len(named) == 2, d.lines[n:])

    rc, took = d.stop()
    c.check("SIGTERM exits 0", rc == 0, f"rc={rc}")
    c.check("SIGTERM stops within the grace bound", took < 1.5, f"{took:.2f}s")
    c.check("stop logged", any(" core stopped" in l for l in d.lines))
    c.check("counters reported at stop",
            any("name=sip.udp.rx_datagrams value=2" in l for l in d.lines), "\n".join(d.lines[-12:]))  # one per listener
finally:
    d.cleanup()

# A port already in use: clear error, exit 1.
blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
blocker.bind(("127.0.0.1", 0))
busy = blocker.getsockname()[1]
d = Daemon(f"sip:\n  listeners:\n    - {{transport: udp, address: 127.0.0.1, port: {busy}}}\n")
try:
    rc = d.proc.wait(10)
    d._reader.join(2)
    c.check("busy port: exit 1", rc == 1, f"rc={rc}")
    c.check("busy port: error names the socket",
            any("listen_failed transport=udp address=127.0.0.1 port=%d" % busy in l for l in d.lines), d.lines)
finally:
    d.cleanup()
    blocker.close()
c.finish()

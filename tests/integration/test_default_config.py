"""README command (a): `isupgw run` with no --config runs the embedded default,
listening for SIP on 127.0.0.1:5060 over UDP and TCP, and stops on SIGTERM."""
import socket

from harness import Checks, Daemon

c = Checks()
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    probe.bind(("127.0.0.1", 5060))
    free = True
except OSError:
    free = False
probe.close()
if not free:
    print("port 5060 is in use on this machine; the embedded default cannot be started here")
d = Daemon()
try:
    if free:
        c.check("embedded default ready", d.wait_for(r"core ready sip_listeners=2") is not None, d.lines)
        c.check("udp 127.0.0.1:5060", d.wait_for(r"listening transport=udp address=127.0.0.1 port=5060") is not None)
        c.check("tcp 127.0.0.1:5060", d.wait_for(r"listening transport=tcp address=127.0.0.1 port=5060") is not None)
        s = socket.create_connection(("127.0.0.1", 5060), timeout=3)
        s.close()
        c.check("source is the embedded default", any("config=\"<embedded default>\"" in l for l in d.lines))
        rc, took = d.stop()
        c.check("SIGTERM: exit 0", rc == 0, rc)
        c.check("SIGTERM: under 2 s", took < 2.0, took)
    else:
        c.check("busy 5060 reported, exit 1", d.proc.wait(10) == 1)
finally:
    d.cleanup()
c.finish()

"""Calls through one gateway with real peers, both directions.

SIP -> ISUP: SIPp UAC -> isupgw -> ISUP over M3UA/TCP -> the gateway's own
simulated exchange (isup-peer's answer logic: rings, answers; 99CCC released
with cause CCC): basic call, busy (99017 -> 486), unallocated (99001 -> 404),
no answer (99019: ringing, then cause 19 -> 480),
CANCEL while ringing.

ISUP -> SIP: isup-peer (scenario files) -> isupgw -> SIPp UAS: basic call
(IAM -> INVITE, 180 -> ACM, 200 -> ANM, REL -> BYE), busy (486 -> REL cause 17),
callee BYE (BYE -> REL 16), overlap (IAM + SAM -> INVITE en bloc), no answer (the caller abandons: REL -> CANCEL).
Each isup-peer run ends with a circuit query (CQM/CQR): every CIC idle; the
gateway reports every circuit idle when it stops."""
import os
import tempfile

from calltest import circuits_idle, free_port, m3ua_port, scenario, sip_port, uac, uas, wait_circuits_reset, wait_uas
from harness import BIN, Checks, Daemon, run, sim_exchange_gateway, isup_peer_ss7

c = Checks()

# ---------------------------------------------------------------- SIP -> ISUP
SIM_PORT = free_port()
GW = sim_exchange_gateway(SIM_PORT, ring_ms=1000)
d = Daemon(GW)
try:
    port = sip_port(d)
    c.check("SIP->ISUP: link to the simulated exchange up", wait_circuits_reset(d), d.lines[-10:])
    rc, err = uac("sn:uac", port)
    c.check("SIP->ISUP basic call (SIPp uac)", rc == 0, err[-500:] + "\n".join(d.lines[-10:]))
    rc, err = uac(scenario("uac_expect.xml", 486), port, service="99017")
    c.check("SIP->ISUP busy: 99017 -> cause 17 -> 486", rc == 0, err[-500:])
    rc, err = uac(scenario("uac_expect.xml", 404), port, service="99001")
    c.check("SIP->ISUP unallocated: 99001 -> cause 1 -> 404", rc == 0, err[-500:])
    # No answer: the far exchange rings (ACM), then gives up with cause 19
    # (no answer from user, user alerted); RFC 3398 maps 19 to 480.
    rc, err = uac(scenario("uac_expect.xml", 480), port, service="99019")
    c.check("SIP->ISUP no answer: ACM, then REL cause 19 -> 480", rc == 0, err[-500:])
    rc, err = uac(scenario("uac_cancel.xml"), port)
    c.check("SIP->ISUP CANCEL while ringing", rc == 0, err[-500:])
    # The release is logged once the REL has gone out, which may be after SIPp has its 487: wait for it.
    c.check("cause 31 sent for the CANCEL", d.wait_for(r"(?=.*a_released)(?=.*cause=31)") is not None)
    rc, _ = d.stop()
    c.check("SIP->ISUP gateway stops cleanly", rc == 0, rc)
    ok, lines = circuits_idle(d)
    c.check("SIP->ISUP: every circuit idle at stop", ok, lines)
finally:
    d.cleanup()

# ---------------------------------------------------------------- ISUP -> SIP
UAS_PORT = free_port()
GW2 = f"""
logging: {{level: info}}
sip:
  listeners: [{{transport: udp, address: 127.0.0.1, port: 0}}]
  trunks: [{{name: callee, address: 127.0.0.1, port: {UAS_PORT}}}]
{isup_peer_ss7('1-31', 'overlap: true')}routes: [{{prefix: "", from: tg-peer, targets: [{{sip_trunk: callee}}]}}]
"""
PRELUDE = """
expect GRS cic=1 range=30
send   GRA cic=1 range=30 status=00000000
"""
CQM = """
wait   300ms
send   CQM cic=1 range=30
expect CQR cic=1 range=30 circuit_state_indicator=%s
""" % ("0c" * 31)
CASES = [
    ("ISUP->SIP basic call, caller (ISUP) clears", "sn:uas", """
send   IAM cic=5 called=5551234F calling=30999
expect ACM cic=5
expect ANM cic=5
wait   200ms
send   REL cic=5 cause=16
expect RLC cic=5
"""),
    ("ISUP->SIP busy: 486 -> REL cause 17", "uas_486.xml", """
send   IAM cic=6 called=5551234F calling=30999
expect ACM cic=6
expect REL cic=6 cause=17
send   RLC cic=6
"""),
    ("ISUP->SIP callee BYE -> REL cause 16", "uas_bye.xml", """
send   IAM cic=7 called=5551234F calling=30999
expect ACM cic=7
expect ANM cic=7
expect REL cic=7 cause=16
send   RLC cic=7
"""),
    ("ISUP->SIP overlap: IAM 555 + SAM 1234 ST -> one INVITE en bloc", "sn:uas", """
send   IAM cic=9 called=555 calling=30999
wait   200ms
send   SAM cic=9 digits=1234F
expect ACM cic=9
expect ANM cic=9
wait   200ms
send   REL cic=9 cause=16
expect RLC cic=9
"""),
    ("ISUP->SIP no answer, caller abandons: REL -> CANCEL", "uas_cancel.xml", """
send   IAM cic=8 called=5551234F calling=30999
expect ACM cic=8
wait   500ms
send   REL cic=8 cause=16
expect RLC cic=8
"""),
]
peer = os.path.join(os.path.dirname(BIN), "isup-peer")
d = Daemon(GW2)
try:
    mport = m3ua_port(d, "peer")
    for name, uas_scen, body in CASES:
        srv = uas(uas_scen if uas_scen.startswith("sn:") else scenario(uas_scen), UAS_PORT)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(PRELUDE + body + CQM)
            scen = f.name
        r = run([peer, "--m3ua-connect", f"127.0.0.1:{mport}", "--opc", "200", "--dpc", "100", "--timeout", "30", scen])
        os.unlink(scen)
        src = wait_uas(srv)
        c.check(f"{name}: isup-peer passes (ends with every CIC idle in CQR)",
                r.returncode == 0 and "1 passed, 0 failed" in r.stdout, r.stdout + "\n".join(d.lines[-12:]))
        c.check(f"{name}: SIPp UAS passes", src == 0, (srv.stderr.read() if srv.stderr else "")[-500:])
    rc, _ = d.stop()
    c.check("ISUP->SIP gateway stops cleanly", rc == 0, rc)
    ok, lines = circuits_idle(d)
    c.check("ISUP->SIP: every circuit idle at stop", ok, lines)
finally:
    d.cleanup()
c.finish()

"""A scripted, strict M2PA + MTP3 + ISUP peer over kernel SCTP (issue 24): one
signalling link towards the isupgw listening on 127.0.0.1:PORT, behaving like the
independent SS7 implementation that cost isupgw ~15 s at every start:
  - on each new association it sends Out of Service and accepts Alignment only
    while its own alignment timer runs (T2, starting ALIGN_DELAY after the
    association); it sends no Alignment first. No Alignment within T2: it aborts
    the association and connects again (a second association).
  - it proves for PROVING s, then Ready.
  - MTP3: it answers the SLTM, starts its own link test LINK_TEST_DELAY later,
    and drops every other MSU that arrives before its own test has passed; then
    it sends TRA (Q.704 9.3.2) and drops user messages until isupgw's TRA came.
  - ISUP: answers each GRS with GRA (no circuit blocked), then resets one circuit
    itself (RSC) and waits for the RLC.
It acknowledges every M2PA User Data at once. At the end it prints one JSON line
with what it saw (its own account; the test judges by tshark's capture).
usage: m2pa_strict_peer.py PORT OWN_PC ADJACENT_PC RSC_CIC TIMEOUT_S"""
import ctypes
import json
import select
import socket
import struct
import sys
import time

ALIGN_DELAY, T2, PROVING, LINK_TEST_DELAY = 1.0, 5.0, 0.5, 0.3
PPID, NI = 5, 2

lib = ctypes.CDLL("libsctp.so.1")
lib.sctp_sendmsg.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_uint32,
                             ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint32]

# RFC 4165 2.3.2 Link Status values.
ALIGNMENT, PROVING_NORMAL, READY, OUT_OF_SERVICE = 1, 2, 4, 9


class Peer:
    def __init__(self, port, own_pc, adjacent_pc, rsc_cic):
        self.port, self.pc, self.adj, self.rsc_cic = port, own_pc, adjacent_pc, rsc_cic
        self.stats = {"associations": 0, "ignored_alignments": 0, "accepted_alignments": 0, "in_service": False,
                      "test_passed": False, "tra_received": False, "dropped": [], "received": [],
                      "gra_sent": 0, "rlc_received": False}
        self.sock = None

    # --- transport ---------------------------------------------------------------------------
    def connect(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
        self.sock.connect(("127.0.0.1", self.port))
        self.stats["associations"] += 1
        self.state, self.t_assoc = "oos", time.monotonic()
        self.t2_start = self.proving_end = self.test_at = None
        self.peer_ready = self.sltm_sent = False
        self.rx_fsn = self.tx_fsn = 0xFFFFFF
        self.send_status(OUT_OF_SERVICE)

    def send(self, stream, payload):
        if lib.sctp_sendmsg(self.sock.fileno(), payload, len(payload), None, 0, socket.htonl(PPID), 0, stream, 0,
                            0) < 0:
            raise OSError("sctp_sendmsg failed")

    # --- M2PA (RFC 4165 2) ---------------------------------------------------------------------
    def m2pa(self, msg_type, body):
        header = struct.pack("!BBBBI", 1, 0, 11, msg_type, 16 + len(body))
        return header + struct.pack("!II", self.rx_fsn, self.tx_fsn) + body

    def send_status(self, state):
        self.send(0, self.m2pa(2, struct.pack("!I", state)))

    def send_ack(self):
        self.send(1, self.m2pa(1, b""))

    def send_msu(self, sio, sif):
        self.tx_fsn = (self.tx_fsn + 1) & 0xFFFFFF
        self.send(1, self.m2pa(1, bytes([0, sio]) + sif))

    # --- MTP3 (Q.704 14, 15; Q.707) --------------------------------------------------------------
    def label(self, sls):
        return struct.pack("<I", self.adj | (self.pc << 14) | (sls << 28))

    def send_mtp3(self, si, sls, body):
        self.send_msu((NI << 6) | si, self.label(sls) + body)

    def on_msu(self, msu):
        si = msu[0] & 0x0F
        label = struct.unpack("<I", msu[1:5])[0]
        sls = label >> 28
        body = msu[5:]
        if si == 1:  # SLTM / SLTA (ITU)
            slc, n = body[1] & 0x0F, body[1] >> 4
            pattern = body[2:2 + n]
            if body[0] == 0x11:
                self.stats["received"].append("SLTM")
                self.send_mtp3(1, sls, bytes([0x21, body[1]]) + pattern)  # SLTA, same SLC and pattern
                if not self.sltm_sent:
                    self.sltm_sent = True
                    self.test_at, self.test_slc = time.monotonic() + LINK_TEST_DELAY, slc
            elif body[0] == 0x21:
                self.stats["received"].append("SLTA")
                if pattern == b"\x5a\xa5\x5a\xa5":
                    self.stats["test_passed"] = True
                    self.send_mtp3(0, 0, bytes([0x17]))  # TRA: the link set is available here
            return
        name = {(0, 0x17): "TRA"}.get((si, body[0] if body else -1)) or (
            "ISUP %s cic=%d" % (ISUP.get(body[2], hex(body[2])), body[0] | (body[1] & 0x0F) << 8)
            if si == 5 else "SI %d %02x" % (si, body[0]))
        self.stats["received"].append(name)
        if not self.stats["test_passed"]:
            self.stats["dropped"].append(name + " (before its link test)")
            return
        if name == "TRA":
            self.stats["tra_received"] = True
            return
        if si != 5:
            return
        if not self.stats["tra_received"]:
            self.stats["dropped"].append(name + " (prohibited route)")
            return
        cic, mtype = body[0] | (body[1] & 0x0F) << 8, body[2]
        if mtype == 0x17:  # GRS -> GRA, range as received, no circuit blocked
            rng = body[5]
            status = bytes((rng + 1 + 7) // 8)
            self.send_mtp3(5, cic & 0x0F, body[0:2] + bytes([0x29, 0x01, 1 + len(status), rng]) + status)
            self.stats["gra_sent"] += 1
            if self.stats["gra_sent"] == 1:  # then its own reset of one circuit
                c = self.rsc_cic
                self.send_mtp3(5, c & 0x0F, bytes([c & 0xFF, c >> 8, 0x12]))
        elif mtype == 0x10 and cic == self.rsc_cic:  # RLC for our RSC
            self.stats["rlc_received"] = True

    # --- the loop -----------------------------------------------------------------------------------
    def on_status(self, state):
        if state == ALIGNMENT:
            if self.state != "not_aligned":
                self.stats["ignored_alignments"] += 1
                return
            self.stats["accepted_alignments"] += 1
            self.send_status(ALIGNMENT)
            self.send_status(PROVING_NORMAL)
            self.state, self.proving_end = "proving", time.monotonic() + PROVING
        elif state == READY:
            self.peer_ready = True
            if self.state == "aligned_ready":
                self.in_service()

    def in_service(self):
        self.state = "in_service"
        self.stats["in_service"] = True

    def timers(self):
        now = time.monotonic()
        if self.state == "oos" and now >= self.t_assoc + ALIGN_DELAY:
            self.state, self.t2_start = "not_aligned", now  # its alignment timer T2 starts
        elif self.state == "not_aligned" and now >= self.t2_start + T2:
            self.sock.close()  # alignment not possible: abort, connect again
            self.connect()
        elif self.state == "proving" and now >= self.proving_end:
            self.send_status(READY)
            self.state = "aligned_ready"
            if self.peer_ready:
                self.in_service()
        if self.test_at and now >= self.test_at:
            self.test_at = None
            self.send_mtp3(1, self.test_slc, bytes([0x11, self.test_slc | 4 << 4]) + b"\x5a\xa5\x5a\xa5")

    def run(self, timeout):
        end = time.monotonic() + timeout
        self.connect()
        while time.monotonic() < end and not self.stats["rlc_received"]:
            r, _, _ = select.select([self.sock], [], [], 0.02)
            if r:
                data = self.sock.recv(65536)
                if not data:
                    break
                if len(data) < 16 or data[2] != 11:
                    continue
                if data[3] == 2:
                    self.on_status(struct.unpack("!I", data[16:20])[0])
                elif data[3] == 1 and len(data) > 17:
                    self.rx_fsn = struct.unpack("!I", data[12:16])[0] & 0xFFFFFF
                    self.send_ack()
                    self.on_msu(data[17:])
            self.timers()
        time.sleep(0.2)  # let the last acknowledgement go before the association closes
        self.sock.close()


ISUP = {0x10: "RLC", 0x12: "RSC", 0x17: "GRS", 0x29: "GRA"}

if __name__ == "__main__":
    p = Peer(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    try:
        p.run(float(sys.argv[5]))
    finally:
        print(json.dumps(p.stats), flush=True)

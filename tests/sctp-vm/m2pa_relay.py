"""A kernel-SCTP relay for one M2PA link, so a test can kill that link alone:
accepts on LISTEN_PORT, connects to TARGET_PORT (127.0.0.1), forwards every
message both ways with PPID 5 on stream 0 (Link Status) or 1 (User Data) as
RFC 4165 1.3.3 wants. SIGUSR1 "blackholes" the link: messages are read and
dropped, so what either end sends stays unacknowledged (a link failing
silently); SIGKILL then aborts both associations.
usage: m2pa_relay.py LISTEN_PORT TARGET_PORT"""
import ctypes
import signal
import socket
import sys
import threading

lib = ctypes.CDLL("libsctp.so.1")
lib.sctp_sendmsg.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_uint32,
                             ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint32]


blackhole = False


def on_usr1(_sig, _frame):
    global blackhole
    blackhole = True


def forward(src, dst):
    try:
        while True:
            msg = src.recv(65536)  # one SCTP message per recv on a one-to-one socket
            if not msg:
                break
            if blackhole:
                continue
            stream = 0 if len(msg) > 3 and msg[3] == 2 else 1
            if lib.sctp_sendmsg(dst.fileno(), msg, len(msg), None, 0, socket.htonl(5), 0, stream, 0, 0) < 0:
                break
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGUSR1, on_usr1)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(1)
    print("relay listening", listen_port, "->", target_port, flush=True)
    while True:
        a, _ = ls.accept()
        b = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
        try:
            b.connect(("127.0.0.1", target_port))
        except OSError:
            a.close()
            continue
        print("relay connected", flush=True)
        t1 = threading.Thread(target=forward, args=(a, b), daemon=True)
        t2 = threading.Thread(target=forward, args=(b, a), daemon=True)
        t1.start()
        t2.start()
        t1.join()
        t2.join()
        a.close()
        b.close()


main()

"""The libss7 matrix of test_ss7_peer_libss7.py with ANSI point codes (8-8-8),
MTP3 and ISUP (T1.113) at both ends: libss7 in SS7_ANSI mode, the gateway's
link set and trunk group ANSI."""
import os
import runpy
import sys

sys.argv = [sys.argv[0], "ansi"]
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_ss7_peer_libss7.py"), run_name="__main__")

"""The Debian package (issue 16): `cpack -G DEB` packs the release build; lintian finds no error in the
.deb; `systemd-analyze verify` accepts its unit with the packaged binary and man page in place; the
packaged binary, extracted with `dpkg-deb -x` into a temporary root, validates and runs the packaged
/etc/isupgw/isupgw.yaml until it logs it is up, and stops on SIGTERM with exit 0.

The verdicts come from dpkg-deb, lintian and systemd-analyze; that the daemon is up is its own log line
(`core ready`) plus a TCP connection to the SIP listener the packaged configuration names.

The packaged configuration binds fixed ports (127.0.0.1:5060, the demo exchange on 2905) and
systemd-analyze needs /usr/bin/isupgw: the test re-runs itself in a mount and network namespace of its
own (`unshare -mn`), where the package's /usr/bin is laid over the machine's (a read-only overlay) and
the ports are free whatever else runs here."""
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402
from harness import Checks, Daemon  # noqa: E402

NS = "ISUPGW_TEST_NS"
if os.environ.get(NS) != "1":
    probe = subprocess.run(["unshare", "-mn", "true"], capture_output=True)
    if probe.returncode != 0:
        print(f"SKIPPED: no mount/network namespace here: {probe.stderr.decode().strip()}")
        sys.exit(harness.SKIP)
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "-mn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", sys.executable] +
               sys.argv, dict(os.environ, **{NS: "1"}))

build = os.environ.get("ISUPGW_BUILD_DIR", os.path.dirname(os.path.dirname(harness.BIN)))
c = Checks()
work = tempfile.mkdtemp(prefix="isupgw-deb-")
try:
    # 1. Build the .deb from the release build (CPack: packs, compiles nothing).
    r = subprocess.run(["cpack", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", work],
                       capture_output=True, text=True, timeout=120)
    debs = glob.glob(os.path.join(work, "*.deb"))
    if not c.check("cpack builds one .deb", r.returncode == 0 and len(debs) == 1, r.stdout + r.stderr):
        c.finish()
    deb = debs[0]
    print(f"package: {os.path.basename(deb)}, {os.path.getsize(deb)} octets")

    info = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Version", "Depends"], capture_output=True,
                          text=True).stdout
    c.check("control: Package isupgw", "Package: isupgw" in info, info)
    c.check("control: Depends on adduser (postinst makes the system user)", re.search(r"Depends:.*adduser", info),
            info)
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True).stdout
    for path in ["./usr/bin/isupgw", "./etc/isupgw/isupgw.yaml", "./etc/logrotate.d/isupgw",
                 "./lib/systemd/system/isupgw.service", "./usr/share/man/man8/isupgw.8.gz",
                 "./usr/share/doc/isupgw/copyright", "./usr/share/doc/isupgw/changelog.Debian.gz"]:
        c.check(f"contains {path}", re.search(r"root/root .* " + re.escape(path) + "$", listing, re.M), listing)

    # 2. lintian: no error (warnings are printed; README lists them).
    if shutil.which("lintian") is None:
        c.check("lintian installed (scripts/setup.sh)", False)
    else:
        r = subprocess.run(["lintian", "--fail-on", "error", "--no-tag-display-limit", deb], capture_output=True,
                           text=True, timeout=120)
        tags = [l for l in r.stdout.splitlines() if re.match(r"[EWIXP]: ", l)]
        for t in tags:
            print(f"lintian: {t}")
        c.check("lintian: no error", r.returncode == 0 and not any(t.startswith("E: ") for t in tags),
                r.stdout + r.stderr)

    # 3. Extract into a temporary root.
    root = os.path.join(work, "root")
    r = subprocess.run(["dpkg-deb", "-x", deb, root], capture_output=True, text=True)
    c.check("dpkg-deb -x", r.returncode == 0, r.stderr)
    conffile_list = subprocess.run(["dpkg-deb", "-I", deb, "conffiles"], capture_output=True, text=True).stdout
    c.check("conffiles: /etc/isupgw/isupgw.yaml and /etc/logrotate.d/isupgw",
            conffile_list.split() == ["/etc/isupgw/isupgw.yaml", "/etc/logrotate.d/isupgw"], conffile_list)

    # 4. systemd-analyze verify: the unit with the packaged /usr/bin laid over the machine's and the
    #    packaged man page on MANPATH (Documentation=man:isupgw(8) is checked too).
    unit = os.path.join(root, "lib/systemd/system/isupgw.service")
    r = subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir={os.path.join(root, 'usr/bin')}:/usr/bin", "/usr/bin"], capture_output=True,
                       text=True)
    if c.check("overlay of the packaged /usr/bin", r.returncode == 0, r.stderr):
        r = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True,
                           env=dict(os.environ, MANPATH=os.path.join(root, "usr/share/man")))
        # It also loads units of this machine that ours names (network.target, ...) and their dependencies,
        # and says what it finds in those (e.g. freeradius.service's MemoryLimit=): only our unit is judged.
        said = [l for l in (r.stdout + r.stderr).splitlines()
                if l.strip() and not re.match(r"/(usr/)?(lib|etc)/systemd/system/(?!isupgw\.service)\S+:", l)]
        c.check("systemd-analyze verify: accepted, nothing said of our unit", r.returncode == 0 and not said,
                r.stdout + r.stderr)
        subprocess.run(["umount", "/usr/bin"])
    text = open(unit).read()
    for directive in ["User=isupgw", "CapabilityBoundingSet=\n", "NoNewPrivileges=yes", "ProtectSystem=strict",
                      "PrivateTmp=yes", "ExecReload=/bin/kill -HUP $MAINPID", "StateDirectory=isupgw\n",
                      "WorkingDirectory=/var/lib/isupgw\n"]:
        c.check(f"unit: {directive.strip()}", directive in text)

    # 5. The packaged binary on the packaged configuration.
    binary = os.path.join(root, "usr/bin/isupgw")
    config = os.path.join(root, "etc/isupgw/isupgw.yaml")
    r = subprocess.run([binary, "check-config", config], capture_output=True, text=True)
    c.check("packaged check-config (ExecStartPre): ok", r.returncode == 0 and r.stdout.strip().endswith(": ok"),
            r.stdout + r.stderr)
    harness.BIN = binary
    # The unit's working directory is /var/lib/isupgw (StateDirectory): here a temporary one.
    state = os.path.join(work, "state")
    os.mkdir(state)
    d = Daemon(args=["--config", config], cwd=state)
    try:
        c.check("packaged daemon: core ready on the packaged configuration",
                d.wait_for(r"core ready sip_listeners=") is not None, d.lines[-10:])
        c.check("packaged daemon: its configuration is the packaged file",
                any(f"config={config}" in l or f'config="{config}"' in l for l in d.lines), d.lines[:3])
        m = d.wait_for(r"listening transport=tcp address=(\S+) port=(\d+)")
        if c.check("packaged daemon: SIP over TCP listening", m is not None, d.lines[-10:]):
            addr, port = re.search(r"address=(\S+) port=(\d+)", m).groups()
            s = socket.create_connection((addr, int(port)), timeout=3)
            s.close()
        c.check("packaged daemon: its VTY on 127.0.0.1:4290",
                d.wait_for(r"core vty_listening address=127.0.0.1 port=4290$") is not None, d.lines[-10:])
        cdr_dir = os.path.join(os.path.realpath(state), "cdr")
        line = d.wait_for(r"core cdr_files ")
        c.check("packaged daemon: CDRs in WORKDIR/cdr, named in one line at start",
                line is not None and f"directory={cdr_dir} " in line and os.path.isfile(os.path.join(cdr_dir, "cdr.csv"))
                and os.path.isfile(os.path.join(cdr_dir, "cdr.jsonl")), line)
        rc, took = d.stop()
        c.check("packaged daemon: SIGTERM -> exit 0", rc == 0, (rc, d.lines[-5:]))
    finally:
        d.cleanup()
finally:
    shutil.rmtree(work, ignore_errors=True)
c.finish()

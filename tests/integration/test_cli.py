"""The isupgw command line: version, help, check-config on every file in
conf/ (accepted) and in tests/integration/bad-configs/ (rejected with the
FILE:LINE: reason each file announces in its first line), decode errors."""
import glob
import os
import re

from harness import BIN, SRC, Checks, run

c = Checks()
r = run([BIN, "version"])
c.check("version", r.returncode == 0 and re.match(r"isupgw \d+\.\d+\.\d+", r.stdout), r.stdout)
r = run([BIN, "help"])
c.check("help lists commands", r.returncode == 0 and all(w in r.stdout for w in
        ["run", "check-config", "decode", "version", "default-config"]), r.stdout)
r = run([BIN, "frobnicate"])
c.check("unknown command: exit 2", r.returncode == 2 and "unknown command 'frobnicate'" in r.stderr, r.stderr)
r = run([BIN])
c.check("no command: usage, exit 2", r.returncode == 2 and "usage" in r.stderr)

confs = sorted(glob.glob(os.path.join(SRC, "conf", "*.yaml")))
c.check("conf/ has examples", len(confs) >= 3, confs)
for f in confs:
    r = run([BIN, "check-config", f])
    c.check(f"check-config accepts {os.path.basename(f)}", r.returncode == 0 and r.stdout.strip() == f"{f}: ok",
            r.stdout + r.stderr)
r = run([BIN, "check-config"] + confs)
c.check("check-config accepts many files at once", r.returncode == 0 and r.stdout.count(": ok") == len(confs))

r = run([BIN, "default-config"])
with open(os.path.join(SRC, "conf", "default.yaml")) as f:
    c.check("default-config prints conf/default.yaml", r.returncode == 0 and r.stdout == f.read())

bad = sorted(glob.glob(os.path.join(SRC, "tests", "integration", "bad-configs", "*.yaml")))
c.check("bad-configs present", len(bad) >= 8, bad)
for f in bad:
    with open(f) as fh:
        m = re.match(r"# expect: (\d+): (.*)", fh.readline())
    if not c.check(f"{os.path.basename(f)} announces its error", m is not None):
        continue
    want = f"{f}:{m.group(1)}: {m.group(2)}"
    for cmd in (["check-config", f], ["run", "--config", f]):
        r = run([BIN] + cmd)
        c.check(f"{cmd[0]} rejects {os.path.basename(f)}", r.returncode == 1 and r.stderr.strip().startswith(want),
                f"rc={r.returncode} want '{want}' got '{r.stderr.strip()}'")

r = run([BIN, "check-config", "/nonexistent.yaml"])
c.check("missing file", r.returncode == 1 and r.stderr.strip() == "/nonexistent.yaml: cannot open file", r.stderr)
r = run([BIN, "decode", "nosuchproto", "00"])
c.check("decode unknown protocol: exit 2", r.returncode == 2 and "unknown protocol" in r.stderr, r.stderr)
c.finish()

#!/usr/bin/env python3
"""ctest-verdict.py JUNIT_XML CTEST_JSON: counts one ctest run from its JUnit report
(ctest --output-junit) and its test list (ctest --show-only=json-v1, for labels).

Prints every test that skipped (with the line of its output that says why) and every
failure, then a last line `PASSED FAILED SKIPPED MUST_RUN_SKIPPED` for scripts/test.sh.
A test counts as skipped only when ctest says it was (SKIP_RETURN_CODE, e.g. a
Python test or a VM test exiting 77; SKIP_REGULAR_EXPRESSION, e.g. GTEST_SKIP) or
it is DISABLED; any other test that did not run (missing executable) failed.
MUST_RUN_SKIPPED: skipped tests without the label `may_skip`: under CI=true
scripts/test.sh fails the run if there is one."""
import json
import sys
import xml.etree.ElementTree as ET


def reason(case):
    out = case.findtext("system-out") or ""
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    why = [l for l in lines if "skip" in l.lower() and not l.startswith("[  SKIPPED ]")]
    return (why or lines or [""])[-1][:160]


def why_failed(case):
    """The last line of a failed test's output that says what went wrong (for the log's tail)."""
    out = case.findtext("system-out") or ""
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    # A harness check that failed says which (tests/integration/harness.py: "FAIL <check> <detail>"): the
    # first one, rather than the summary line after it.
    checks = [l for l in lines if l.startswith("FAIL ")]
    if checks:
        return checks[0][:280]
    keys = ("error", "assert", "fail", "timeout", "timed out", "exception", "expected")
    why = [l for l in lines if any(k in l.lower() for k in keys)]
    return (why or lines or [""])[-1][:200]


def main():
    cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
    with open(sys.argv[2]) as f:
        listing = json.load(f)
    labels = {}
    for t in listing.get("tests", []):
        for p in t.get("properties", []):
            if p.get("name") == "LABELS":
                labels[t["name"]] = set(p.get("value", []))
    passed = failed = skipped = must_run = 0
    for case in cases:
        name, status = case.get("name"), case.get("status")
        skip = case.find("skipped")
        is_skip = status == "disabled" or (status == "notrun" and skip is not None and
                                            (skip.get("message") or "").startswith("SKIP_"))
        if status == "run":
            passed += 1
        elif is_skip:
            skipped += 1
            allowed = "may_skip" in labels.get(name, set())
            must_run += 0 if allowed else 1
            print(f"SKIPPED {name}{' (may_skip)' if allowed else ''}: {reason(case)}")
        else:
            failed += 1
            msg = (case.find("failure").get("message") if case.find("failure") is not None else
                   (skip.get("message") if skip is not None else status))
            print(f"FAILED  {name}: {msg}: {why_failed(case)}")
    print(passed, failed, skipped, must_run)


if __name__ == "__main__":
    main()

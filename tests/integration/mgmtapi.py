"""Helpers for the management API tests: the API's url from the daemon's log
line, JSON requests with a bearer token, and a token file."""
import json
import os
import re
import tempfile
import urllib.error
import urllib.request


def api_url(d, timeout=10):
    """The management url the daemon logged ("management url=http://127.0.0.1:PORT"), or None."""
    line = d.wait_for(r" core management url=(\S+)", timeout)
    return re.search(r"url=(\S+)", line).group(1) if line else None


def token_file(token):
    fd, path = tempfile.mkstemp(prefix="isupgw-token-")
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return path


def request(url, method="GET", body=None, token=None, timeout=10):
    """(status, parsed JSON or text) of one request; HTTP errors are answers too."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, ctype, raw = r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        status, ctype, raw = e.code, e.headers.get("Content-Type", ""), e.read()
    if ctype.startswith("application/json"):
        return status, json.loads(raw)
    return status, raw.decode()

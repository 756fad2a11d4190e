#!/usr/bin/env python3
"""The clients bench/serve.sh runs beside wrk.

    python3 bench/serve_clients.py session URL TOKEN
        signs in to the web page as a browser does; prints the session cookie (name=value).
    python3 bench/serve_clients.py approve URL TOKEN KEY COUNT
        approves COUNT pending change sets through the API, each with its own ssh-keygen
        signature, one after another; prints a JSON object of how many were posted and refused.
    python3 bench/serve_clients.py recorded URL TOKEN
        prints how many stacks the API shows APPROVED.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request


def api(url: str, token: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {token}"})
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def session(url: str, token: str) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(url + "/sign-in", timeout=60).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]*)"', form).group(1)
    data = urllib.parse.urlencode({"csrf": csrf, "token": token, "next": "/"}).encode()
    opener.open(urllib.request.Request(url + "/sign-in", data=data), timeout=60).read()
    cookie = next(c for c in jar if c.name == "tollgate_session")
    print(f"{cookie.name}={cookie.value}")


def approve(url: str, token: str, key: str, count: int) -> None:
    status, body = api(url, token, "/api/stacks")
    assert status == 200, body
    pending = [s["pendingChangeSet"] for s in json.loads(body)["stacks"] if s.get("pendingChangeSet")][:count]
    posted = refused = 0
    with tempfile.TemporaryDirectory() as folder:
        for change_set in pending:
            status, text = api(url, token, f"/api/change-sets/{change_set}/approval-text?verdict=approve")
            assert status == 200, text
            path = os.path.join(folder, "text")
            with open(path, "wb") as handle:
                handle.write(text)
            subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "tollgate", "-f", key, path], check=True, capture_output=True)
            with open(path + ".sig", encoding="utf-8") as handle:
                signature = handle.read()
            os.remove(path + ".sig")
            status, _ = api(url, token, f"/api/change-sets/{change_set}/approvals", {"verdict": "approve", "signature": signature})
            if status == 201:
                posted += 1
            else:
                refused += 1
    print(json.dumps({"posted": posted, "refused": refused}))


def recorded(url: str, token: str) -> None:
    status, body = api(url, token, "/api/stacks")
    assert status == 200, body
    print(sum(1 for s in json.loads(body)["stacks"] if s.get("status") == "APPROVED"))


def main() -> None:
    command, url, token = sys.argv[1], sys.argv[2], sys.argv[3]
    if command == "session":
        session(url, token)
    elif command == "approve":
        approve(url, token, sys.argv[4], int(sys.argv[5]))
    elif command == "recorded":
        recorded(url, token)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Times applies through a running `tollgate serve`, as a team's server runs them: for each change
set, from `POST /api/change-sets/ID/apply?wait=60`, which answers when the apply has ended, until
that answer. Prints one JSON object of milliseconds per stack for the driver.

    python3 bench/apply_server.py URL TOKEN CHANGE_SETS_FILE [MOTO_ENDPOINT RESOURCES PREFIX]

CHANGE_SETS_FILE has one `STACK ID` line per change set; a failed or refused apply stops the run.
With MOTO_ENDPOINT, each cloudformation stack's apply is followed at once by the reference: moto
deploying a stack of the same size from boto3 (apply_moto.py), so that both sides of the ratio
are measured in the same moments of a shared machine. Their times are printed under
"reference:" + STACK.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
import os
import urllib.parse


def main() -> None:
    url, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
    reference = None
    if len(sys.argv) > 4:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from apply_moto import deploy, reference_client
        reference = (reference_client(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    address = urllib.parse.urlsplit(url)
    # One keep-alive connection, made before timing, as a client of the server keeps one.
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method: str, target: str) -> tuple[int, dict]:
        connection.request(method, target, body=b"{}" if method == "POST" else None, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    call("GET", "/api/whoami")
    times: dict[str, float] = {}
    for line in open(path):
        stack, change_set = line.split()
        start = time.perf_counter()
        status, execution = call("POST", f"/api/change-sets/{change_set}/apply?wait=60")
        while status == 202:
            status, execution = call("GET", execution["location"] + "?wait=60")
        if status != 200:
            sys.exit(f"apply of {change_set} ({stack}) answered {status}: {execution}")
        times[stack] = (time.perf_counter() - start) * 1000
        if execution.get("result") != "SUCCEEDED":
            sys.exit(f"apply of {change_set} ({stack}) ended {execution.get('result')}: {execution.get('providerOutput')}")
        if reference and stack.startswith("cfn-"):
            client, resources, prefix = reference
            times["reference:" + stack] = deploy(client, f"{prefix}-{stack}", resources) * 1000
    print(json.dumps(times))


if __name__ == "__main__":
    main()

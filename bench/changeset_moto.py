#!/usr/bin/env python3
"""Times the change set that moto (an in-process CloudFormation emulator) makes for a pair.

The stack is created from BASE first (not timed); then each round times
CreateChangeSet for TARGET plus DescribeChangeSet until every page is read, which is what
a reviewer's tool does to learn the changes. Prints one JSON object for the driver.

    pip install moto boto3
    python3 bench/changeset_moto.py bench/data/base.yaml bench/data/target.yaml [ROUNDS]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402


def main() -> None:
    base = open(sys.argv[1], encoding="utf-8").read()
    target = open(sys.argv[2], encoding="utf-8").read()
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with mock_aws():
        client = boto3.client("cloudformation", region_name="us-east-1")
        client.create_stack(StackName="bench", TemplateBody=base)
        times = []
        changes = []
        for round_number in range(rounds):
            start = time.perf_counter()
            created = client.create_change_set(
                StackName="bench",
                ChangeSetName=f"bench-{round_number}",
                TemplateBody=target,
                ChangeSetType="UPDATE",
            )
            changes = []
            token = None
            while True:
                arguments = {"ChangeSetName": created["Id"]}
                if token:
                    arguments["NextToken"] = token
                page = client.describe_change_set(**arguments)
                changes.extend(page.get("Changes", []))
                token = page.get("NextToken")
                if not token:
                    break
            times.append(time.perf_counter() - start)
    actions: dict[str, int] = {}
    for change in changes:
        action = change.get("ResourceChange", {}).get("Action", "?")
        actions[action] = actions.get(action, 0) + 1
    print(json.dumps({"rounds": rounds, "changeset_ms": statistics.median(times) * 1000, "actions": actions},
                     sort_keys=True))


if __name__ == "__main__":
    main()

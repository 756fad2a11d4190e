#!/usr/bin/env python3
"""Times what the emulator itself takes to deploy the stacks bench/apply.sh applies, called from
boto3: CreateChangeSet (CREATE), waiting until it is created, ExecuteChangeSet, and waiting until
the stack is CREATE_COMPLETE, per stack. Prints one JSON object for the driver.

    python3 bench/apply_moto.py ENDPOINT STACKS RESOURCES PREFIX

The boto3 client is made once, before timing: only the calls and waits are timed.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_apply_repo import template  # noqa: E402


def reference_client(endpoint: str):
    """The boto3 client the reference deploys through, made before anything is timed."""
    return boto3.client("cloudformation", region_name="us-east-1", endpoint_url=endpoint)


def deploy(client, name: str, resources: int) -> float:
    """Seconds moto takes for one new stack, as boto3 deploys it through a change set."""
    # Waiters look at once, then every Delay seconds; the emulator is done by the first look.
    fast = {"Delay": 1, "MaxAttempts": 600}
    body = template(name, resources)
    start = time.perf_counter()
    created = client.create_change_set(StackName=name, ChangeSetName="bench", ChangeSetType="CREATE", TemplateBody=body)
    client.get_waiter("change_set_create_complete").wait(ChangeSetName=created["Id"], StackName=name, WaiterConfig=fast)
    client.execute_change_set(ChangeSetName=created["Id"], StackName=name)
    client.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig=fast)
    return time.perf_counter() - start


def main() -> None:
    endpoint, stacks, resources, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    client = reference_client(endpoint)
    times = [deploy(client, f"{prefix}-cfn-{index:03d}", resources) for index in range(stacks)]
    print(json.dumps({"stacks": stacks, "median_ms": statistics.median(times) * 1000, "mean_ms": statistics.fmean(times) * 1000}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the repository bench/apply.sh applies: N stacks deployed with the record provider and
M through CloudFormation at an emulator's endpoint, each of R resources, one reviewer who may
approve them all, and no change window.

    python3 bench/generate_apply_repo.py REPO --record N --cloudformation M --resources R \
        --endpoint URL --public-key "ssh-ed25519 AAAA... bench"

Half the resources of a stack are SQS queues, half SNS topics, each named after its stack so
that no two stacks collide in the emulator. Prints nothing; the repository has one commit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess


def template(stack: str, resources: int) -> str:
    body = {}
    for index in range(resources):
        name = f"{stack}-r{index:02d}"
        if index % 2 == 0:
            body[f"Queue{index:02d}"] = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name, "VisibilityTimeout": 30}}
        else:
            body[f"Topic{index:02d}"] = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name}}
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": body}, indent=2) + "\n"


def write(root: str, path: str, text: str) -> None:
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as handle:
        handle.write(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo")
    parser.add_argument("--record", type=int, default=100)
    parser.add_argument("--cloudformation", type=int, default=10)
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--public-key", required=True)
    arguments = parser.parse_args()

    root = arguments.repo
    os.makedirs(root)
    write(root, "Policies/reviewers.yaml", f"""people:
  - id: ana
    name: Ana Bench
    emails: [ana@example.com]
    keys: ["{arguments.public_key}"]
groups:
  owners: [ana]
""")
    write(root, "Policies/approvals.yaml", """policy-changes:
  - count: 1
    from: owners
rules:
  - name: everything
    stacks: ["*"]
    require:
      - count: 1
        from: owners
""")
    write(root, "Policies/deployments.yaml", f"""deployments:
  - stacks: ["cfn-*"]
    provider: cloudformation
    region: us-east-1
    stack-name: "{arguments.prefix}-{{name}}"
    endpoint-url: {arguments.endpoint}
  - stacks: ["*"]
    provider: record
""")
    for index in range(arguments.record):
        write(root, f"Stacks/rec-{index:03d}/template.json", template(f"{arguments.prefix}-rec-{index:03d}", arguments.resources))
    for index in range(arguments.cloudformation):
        write(root, f"Stacks/cfn-{index:03d}/template.json", template(f"{arguments.prefix}-cfn-{index:03d}", arguments.resources))

    environment = dict(os.environ, GIT_AUTHOR_NAME="Bench Author", GIT_AUTHOR_EMAIL="author@example.com",
                       GIT_COMMITTER_NAME="Bench Author", GIT_COMMITTER_EMAIL="author@example.com")
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "stacks to apply"]):
        subprocess.run(command, cwd=root, env=environment, check=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes a 1,000-resource template and a modified copy for the change set benchmark.

The copy changes about five percent of the resources directly: some in place, some by a
create-only property (so they are replaced), a few removed and a few added; parameters
of other resources refer to the replaced ones, so the change also propagates.

    python3 bench/generate_changeset_pair.py bench/data
"""

from __future__ import annotations

import pathlib
import sys

COUNT = 1000


def resource(index: int, modified: bool) -> tuple[str, str] | None:
    kind = index % 5
    if kind == 0:
        timeout = 60 if modified and index % 50 == 0 else 30
        return f"Queue{index}", (
            f"  Queue{index}:\n    Type: AWS::SQS::Queue\n    Properties:\n"
            f"      QueueName: bench-queue-{index}\n      VisibilityTimeout: {timeout}\n"
            f"      Tags:\n        - Key: team\n          Value: team-{index % 7}\n"
        )
    if kind == 1:
        if modified and index % 200 == 1:
            return None
        name = f"bench-topic-{index}-v2" if modified and index % 100 == 11 else f"bench-topic-{index}"
        return f"Topic{index}", (
            f"  Topic{index}:\n    Type: AWS::SNS::Topic\n    Properties:\n"
            f"      TopicName: {name}\n      DisplayName: Topic {index}\n"
        )
    if kind == 2:
        return f"Param{index}", (
            f"  Param{index}:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
            f"      Name: /bench/param-{index}\n      Type: String\n"
            f"      Value: !Sub \"${{Queue{index - 2}.Arn}}|${{Bucket{index + 1}}}\"\n"
        )
    if kind == 3:
        name = f"bench-bucket-{index}-v2" if modified and index % 100 == 3 else f"bench-bucket-{index}"
        return f"Bucket{index}", (
            f"  Bucket{index}:\n    Type: AWS::S3::Bucket\n    Properties:\n"
            f"      BucketName: {name}\n"
            f"      Tags:\n        - Key: env\n          Value: !Ref Environment\n"
        )
    retention = 30 if modified and index % 80 == 4 else 14
    return f"Logs{index}", (
        f"  Logs{index}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n"
        f"      LogGroupName: /bench/logs-{index}\n      RetentionInDays: {retention}\n"
    )


def template(modified: bool) -> str:
    parts = [
        "AWSTemplateFormatVersion: \"2010-09-09\"\n",
        "Parameters:\n  Environment:\n    Type: String\n    Default: prod\n",
        "Resources:\n",
    ]
    for index in range(COUNT):
        entry = resource(index, modified)
        if entry:
            parts.append(entry[1])
    if modified:
        for extra in range(5):
            parts.append(
                f"  Extra{extra}:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                f"      QueueName: bench-extra-{extra}\n"
            )
    return "".join(parts)


def main() -> None:
    folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "bench/data")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(template(False), encoding="utf-8")
    (folder / "target.yaml").write_text(template(True), encoding="utf-8")
    print(f"wrote {folder / 'base.yaml'} and {folder / 'target.yaml'}")


if __name__ == "__main__":
    main()

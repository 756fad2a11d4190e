#!/usr/bin/env python3
"""Writes a 1,000-resource CloudFormation template (YAML with short-form tags) that exercises the
Guard rules registry: buckets, tables, security groups, functions, databases, queues, topics,
roles, volumes and keys, some compliant and some not.

    bench/generate_guard_template.py OUT.yaml [COUNT]
"""
import sys

KINDS = [
    ("AWS::S3::Bucket", lambda i: [
        "BucketName: !Sub 'bench-${AWS::AccountId}-%d'" % i,
        "VersioningConfiguration:",
        "  Status: %s" % ("Enabled" if i % 3 else "Suspended"),
        "PublicAccessBlockConfiguration:",
        "  BlockPublicAcls: true",
        "  BlockPublicPolicy: %s" % ("true" if i % 4 else "false"),
        "  IgnorePublicAcls: true",
        "  RestrictPublicBuckets: true",
    ]),
    ("AWS::DynamoDB::Table", lambda i: [
        "BillingMode: PAY_PER_REQUEST",
        "KeySchema:",
        "  - AttributeName: id",
        "    KeyType: HASH",
        "AttributeDefinitions:",
        "  - AttributeName: id",
        "    AttributeType: S",
        "SSESpecification:",
        "  SSEEnabled: %s" % ("true" if i % 2 else "false"),
        "PointInTimeRecoverySpecification:",
        "  PointInTimeRecoveryEnabled: true",
    ]),
    ("AWS::EC2::SecurityGroup", lambda i: [
        "GroupDescription: bench %d" % i,
        "VpcId: !Ref Vpc",
        "SecurityGroupIngress:",
        "  - IpProtocol: tcp",
        "    FromPort: %d" % (22 if i % 5 == 0 else 443),
        "    ToPort: %d" % (22 if i % 5 == 0 else 443),
        "    CidrIp: %s" % ("0.0.0.0/0" if i % 2 else "10.0.0.0/8"),
    ]),
    ("AWS::Lambda::Function", lambda i: [
        "Runtime: python3.12",
        "Handler: index.handler",
        "Role: !GetAtt Role%d.Arn" % i,
        "Code:",
        "  ZipFile: print('hello')",
        "ReservedConcurrentExecutions: 5",
        "TracingConfig:",
        "  Mode: Active",
    ]),
    ("AWS::RDS::DBInstance", lambda i: [
        "Engine: postgres",
        "DBInstanceClass: db.t3.micro",
        "AllocatedStorage: '20'",
        "StorageEncrypted: %s" % ("true" if i % 2 else "false"),
        "MultiAZ: true",
        "PubliclyAccessible: false",
        "MasterUsername: !Ref DbUser",
        "MasterUserPassword: '{{resolve:secretsmanager:db:SecretString:password}}'",
        "DeletionProtection: true",
    ]),
    ("AWS::SQS::Queue", lambda i: [
        "KmsMasterKeyId: %s" % ("alias/aws/sqs" if i % 2 else "''"),
        "MessageRetentionPeriod: 345600",
    ]),
    ("AWS::SNS::Topic", lambda i: [
        "TopicName: bench-%d" % i,
        "KmsMasterKeyId: !Ref Key",
    ]),
    ("AWS::IAM::Role", lambda i: [
        "AssumeRolePolicyDocument:",
        "  Version: '2012-10-17'",
        "  Statement:",
        "    - Effect: Allow",
        "      Principal:",
        "        Service: lambda.amazonaws.com",
        "      Action: sts:AssumeRole",
        "Policies:",
        "  - PolicyName: bench",
        "    PolicyDocument:",
        "      Statement:",
        "        - Effect: Allow",
        "          Action: %s" % ("'*'" if i % 7 == 0 else "s3:GetObject"),
        "          Resource: '*'",
    ]),
    ("AWS::EC2::Volume", lambda i: [
        "AvailabilityZone: !Select [0, !GetAZs '']",
        "Size: 10",
        "Encrypted: %s" % ("true" if i % 2 else "false"),
    ]),
    ("AWS::KMS::Key", lambda i: [
        "EnableKeyRotation: %s" % ("true" if i % 2 else "false"),
        "KeyPolicy:",
        "  Version: '2012-10-17'",
        "  Statement:",
        "    - Effect: Allow",
        "      Principal:",
        "        AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'",
        "      Action: 'kms:*'",
        "      Resource: '*'",
    ]),
]


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(count):
        kind, properties = KINDS[i % len(KINDS)]
        lines.append("  Resource%d:" % i)
        lines.append("    Type: %s" % kind)
        lines.append("    Properties:")
        lines.extend("      " + line for line in properties(i))
    with open(out, "w") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""Signs requests with botocore's own SigV4 signer, for the cross-check in SignatureV4BotocoreTests.

Reads a JSON list of requests on standard input and writes, for each, botocore's canonical
request, string to sign and signature as a JSON list on standard output.
"""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

results = []
for case in json.load(sys.stdin):
    credentials = Credentials(case["accessKeyID"], case["secretAccessKey"], case.get("sessionToken"))
    signer = SigV4Auth(credentials, case["service"], case["region"])
    request = AWSRequest(
        method=case["method"],
        url="https://" + case["host"] + case["path"],
        params=dict(case["query"]),
        data=bytes.fromhex(case["bodyHex"]),
    )
    for name, value in case["headers"]:
        request.headers[name] = value
    # botocore stamps the current time; the test's fixed time goes in the same place.
    request.context["timestamp"] = case["timestamp"]
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    results.append({
        "canonicalRequest": canonical,
        "stringToSign": string_to_sign,
        "signature": signer.signature(string_to_sign, request),
    })
json.dump(results, sys.stdout)

#!/usr/bin/env python3
"""Derives tests/data/endpoint_cases.json from the vendored rule set and partitions.

The expected results come from botocore's own rules engine (botocore.endpoint_provider),
the reference implementation, evaluating model/meteringmarketplace/endpoint-rule-set-1.json
with model/meteringmarketplace/partitions.json. Run it after `cargo xtask update-model`:

    pip install botocore   # any version: only its rules engine is used
    python3 tests/data/derive_endpoint_cases.py

Cases: every region of every partition crossed with FIPS and dual-stack on/off; regions
that match a partition only by its regex; an unknown region (falls back to `aws`); custom
endpoints with and without FIPS/dual-stack; a missing region.
"""
import json
import pathlib

from botocore.endpoint_provider import EndpointProvider
from botocore.exceptions import EndpointResolutionError

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "model" / "meteringmarketplace"

rule_set = json.loads((MODEL / "endpoint-rule-set-1.json").read_text())
partitions = json.loads((MODEL / "partitions.json").read_text())
provider = EndpointProvider(rule_set, partitions)

# Regions in no partition's list, matched by each partition's regex only.
REGEX_ONLY = {
    "aws": "us-east-99",
    "aws-cn": "cn-south-7",
    "aws-eusc": "eusc-de-north-3",
    "aws-iso": "us-iso-north-5",
    "aws-iso-b": "us-isob-south-4",
    "aws-iso-e": "eu-isoe-north-2",
    "aws-iso-f": "us-isof-west-8",
    "aws-us-gov": "us-gov-north-3",
}


def case(**params):
    try:
        endpoint = provider.resolve_endpoint(**params)
        expect = {"url": endpoint.url}
        if endpoint.properties:
            expect["properties"] = endpoint.properties
        if endpoint.headers:
            expect["headers"] = endpoint.headers
    except EndpointResolutionError as error:
        expect = {"error": error.kwargs["msg"]}
    return {"params": params, "expect": expect}


cases = []
for partition in partitions["partitions"]:
    regions = list(partition["regions"]) + [REGEX_ONLY[partition["id"]]]
    for region in regions:
        for fips in (False, True):
            for dual_stack in (False, True):
                cases.append(case(Region=region, UseFIPS=fips, UseDualStack=dual_stack))
cases.append(case(Region="mars-west-1", UseFIPS=False, UseDualStack=False))
for fips in (False, True):
    for dual_stack in (False, True):
        cases.append(case(Region="us-east-1", UseFIPS=fips, UseDualStack=dual_stack, Endpoint="https://example.com/prefix"))
        cases.append(case(UseFIPS=fips, UseDualStack=dual_stack, Endpoint="http://127.0.0.1:8080"))
        cases.append(case(UseFIPS=fips, UseDualStack=dual_stack))

out = ROOT / "tests" / "data" / "endpoint_cases.json"
out.write_text(json.dumps({"derived_with": "botocore.endpoint_provider", "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {out.relative_to(ROOT)}")

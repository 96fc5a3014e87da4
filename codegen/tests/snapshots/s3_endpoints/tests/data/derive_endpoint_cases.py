#!/usr/bin/env python3
"""Derives endpoint_cases.json (next to this script) for the `s3_endpoints` fixture.

The expected results come from botocore's own rules engine (botocore.endpoint_provider),
the reference implementation, evaluating S3's rule set as vendored for the fixture,
codegen/tests/fixtures/s3_endpoints.rules.json (botocore 1.44.8, byte for byte), with
model/meteringmarketplace/partitions.json, the partitions the fixture is generated with.
Like tests/data/derive_endpoint_cases.py for the real service; run it after changing either:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install botocore==1.44.8
    /tmp/venv/bin/python codegen/tests/snapshots/s3_endpoints/tests/data/derive_endpoint_cases.py

The cases are fixed lists crossed in fixed ways (no randomness), so the table only changes
when the rule set, the partitions or this script do. They mix regions of every partition
(listed, regex-only, unknown and invalid), FIPS, dual-stack, Accelerate, ForcePathStyle,
UseGlobalEndpoint, custom endpoints (paths, IPv4 and IPv6 hosts, ports, invalid URLs),
buckets of every kind (virtual-hostable, dotted, invalid, uppercase, IP-like, S3 Express
zonal and control-plane, Outposts aliases, access point, Outposts, Object Lambda and
Multi-Region Access Point ARNs, broken ARNs) with UseArnRegion, DisableAccessPoints and
DisableMultiRegionAccessPoints, and the parameters no rule reads (Key, Prefix,
CopySource). Each case records the URL, headers and properties (the auth schemes), or the
error message.

Left out on purpose, because botocore disagrees there with the Smithy specification or
its Java implementation, which the runtime follows (runtime/src/endpoint/functions.rs):
custom endpoints whose path has dot segments or percent-escapes (botocore normalizes and
re-encodes `normalizedPath`) or that carry a userinfo part (kept in botocore's
`authority`), `http://01.2.3.4`-style hosts with leading zeros (an IP for botocore's
`isIp`), and dotted bucket names longer than 63 characters (virtual-hostable for
botocore).
"""
import json
import pathlib

from botocore import endpoint_provider
from botocore.endpoint_provider import EndpointProvider
from botocore.exceptions import EndpointResolutionError

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[5]
RULE_SET = ROOT / "codegen" / "tests" / "fixtures" / "s3_endpoints.rules.json"
PARTITIONS = ROOT / "model" / "meteringmarketplace" / "partitions.json"

# The Smithy rules-engine specification makes tree rules terminal: "If a tree rule's
# subordinate rules are exhausted with none evaluated successfully, then an implementation
# of the rules engine MUST stop and return an error indicating that rule exhaustion has
# occurred." botocore instead goes on with the rule after the tree. The generated
# resolvers follow the specification, so each case records whether botocore exhausted a
# tree on the way to its answer (`"tree_exhausted": true`); the Rust test then expects the
# generated resolver's rule-exhaustion error. This is TreeRule.evaluate as botocore
# 1.44.8 writes it, plus the note.
exhausted_trees = []


def tree_evaluate(self, scope_vars, rule_lib):
    if self.evaluate_conditions(scope_vars, rule_lib):
        for rule in self.rules:
            rule_result = rule.evaluate(scope_vars.copy(), rule_lib)
            if rule_result:
                return rule_result
        exhausted_trees.append(self)
    return None


endpoint_provider.TreeRule.evaluate = tree_evaluate

rule_set = json.loads(RULE_SET.read_text())
partitions = json.loads(PARTITIONS.read_text())
provider = EndpointProvider(rule_set, partitions)

# Listed regions of every partition, regions matched only by a partition's regex, one no
# partition claims (falls back to `aws`) and ones that are not DNS labels.
REGIONS = [
    "us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1", "aws-global",
    "cn-north-1", "cn-northwest-1", "aws-cn-global",
    "us-gov-west-1", "us-gov-east-1", "aws-us-gov-global",
    "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1",
    "eusc-de-east-1",
    "us-east-99", "cn-south-7", "us-gov-north-3", "us-iso-north-5", "us-isob-south-4",
    "eusc-de-north-3",
    "mars-west-1",
]
INVALID_REGIONS = ["us east 1", "us-east-1.", "us_east_1", "-us-east-1", "us-west-2-", ""]

# Buckets that are not ARNs.
BUCKETS = [
    "bucket-name",
    "my.bucket.name",
    "Bucket-Upper",
    "bucket_underscore",
    "ab",
    "a" * 63,
    "a" * 64,
    "192.168.1.1",
    "01.02.03.04",
    "1234.1.1.1",
    "bucket-",
    "-bucket",
    "bucket..name",
    "bucket-.name",
    "123",
    "bucket name",
    "bucket/slash",
    "bücket",
    "arn:not-really",
]

# S3 Express buckets: zone ids of every length the rules know, one they do not, names
# that are not virtual-hostable, and the `--xa-s3` form.
EXPRESS_BUCKETS = [
    "mybucket--usw2-az1--x-s3",
    "mybucket--usw2-az12--x-s3",
    "mybucket--usw2-lax1-az1--x-s3",
    "mybucket--usw2-lax12-az1--x-s3",
    "mybucket--test1-long1-zone-ab1--x-s3",
    "mybucket--abc--x-s3",
    "my.bucket--usw2-az1--x-s3",
    "MyBucket--usw2-az1--x-s3",
    "mybucket--usw2-az1--xa-s3",
    "mybucket--usw2-lax1-az1--xa-s3",
]

# Outposts bucket aliases (`--op-s3`): hardware types `o` and `e`, and others.
OUTPOST_ALIASES = [
    "test-accessp-o0b1d075431d83bebde8xz5w8ijx1qzlbp3i3kuse10--op-s3",
    "test-accessp-e0000075431d83bebde8xz5w8ijx1qzlbp3i3kbeta0--op-s3",
    "test-accessp-e0b1d075431d83bebde8xz5w8ijx1qzlbp3i3ebeta0--op-s3",
    "test-accessp-h0000075431d83bebde8xz5w8ijx1qzlbp3i3kbeta0--op-s3",
    "test-accessp-o00000754%1d83bebde8xz5w8ijx1qzlbp3i3kbeta0--op-s3",
    "test.accessp-o0b1d075431d83bebde8xz5w8ijx1qzlbp3i3kuse10--op-s3",
]

ACCESS_POINT = "arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint"
MRAP = "arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap"
OUTPOST_ACCESS_POINT = (
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports"
)
OBJECT_LAMBDA_ACCESS_POINT = "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/mybanner"

ARNS = [
    # Access points.
    ACCESS_POINT,
    "arn:aws:s3:us-west-2:123456789012:accesspoint/myendpoint",
    "arn:aws:s3:us-east-1:123456789012:accesspoint:myendpoint",
    "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint:myendpoint",
    "arn:aws-us-gov:s3:us-gov-west-1:123456789012:accesspoint:myendpoint",
    "arn:aws:s3:us-west-2:123456789012:accesspoint",
    "arn:aws:s3:us-west-2:123456789012:accesspoint:my_endpoint",
    "arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint:extra",
    "arn:aws:s3:us-west-2::accesspoint:myendpoint",
    "arn:aws:s3:us-west-2:1234.56789012:accesspoint:myendpoint",
    "arn:aws:s3:us_west_2:123456789012:accesspoint:myendpoint",
    "arn:aws:s3:us-west-2:123456789012:bucket_name:mybucket",
    "arn:aws:s3:us-west-2:123456789012:",
    "arn:aws:s3:us-west-2:123456789012",
    "arn:aws:s3:::bucket",
    "arn:aws:sqs:us-west-2:123456789012:accesspoint:myendpoint",
    "arn:aws:s3:us-west-2:123456789012:accesspoint:",
    "arn:aws:s3:us-west-2:123456789012::myendpoint",
    # Multi-Region Access Points.
    MRAP,
    "arn:aws-cn:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap",
    "arn:aws:s3::123456789012:accesspoint:my_endpoint.mrap",
    # Outposts.
    OUTPOST_ACCESS_POINT,
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:accesspoint:reports",
    "arn:aws:s3-outposts:us-east-1:123456789012:outpost:op-01234567890123456:accesspoint:reports",
    "arn:aws-cn:s3-outposts:cn-north-1:123456789012:outpost:op-01234567890123456:accesspoint:reports",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op_01234567890123456:accesspoint:reports",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:bucket:mybucket",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:accesspoint",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:accesspoint:",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:accesspoint:reports:x",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost",
    "arn:aws:s3-outposts:us-west-2::outpost:op-01234567890123456:accesspoint:reports",
    "arn:aws:s3-outposts::123456789012:outpost:op-01234567890123456:accesspoint:reports",
    # Object Lambda access points.
    OBJECT_LAMBDA_ACCESS_POINT,
    "arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/mybanner",
    "arn:aws-cn:s3-object-lambda:cn-north-1:123456789012:accesspoint/mybanner",
    "arn:aws:s3-object-lambda:us-west-2:123456789012:bucket_name:mybucket",
    "arn:aws:s3-object-lambda:us-west-2::accesspoint/mybanner",
    "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint",
    "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/my.banner",
    "arn:aws:s3-object-lambda::123456789012:accesspoint/mybanner",
]

ENDPOINTS = [
    "https://example.com",
    "http://example.com:8080",
    "https://example.com/path",
    "https://example.com/path/to/",
    "http://127.0.0.1:9000",
    "https://192.168.0.1/base",
    "http://[::1]:8080",
    "https://[2001:db8::1]/base",
    "https://beta.example.com:1234/foo/bar",
    "https://s3.us-west-2.amazonaws.com",
    "not a url",
    "https://example.com?query=1",
    "ftp://example.com",
]

cases = []
seen = set()


def case(**params):
    key = json.dumps(params, sort_keys=True)
    if key in seen:
        return
    seen.add(key)
    exhausted_trees.clear()
    try:
        endpoint = provider.resolve_endpoint(**params)
        expect = {"url": endpoint.url}
        if endpoint.properties:
            expect["properties"] = endpoint.properties
        if endpoint.headers:
            expect["headers"] = endpoint.headers
    except EndpointResolutionError as error:
        expect = {"error": error.kwargs["msg"]}
    entry = {"params": params, "expect": expect}
    if exhausted_trees:
        entry["tree_exhausted"] = True
    cases.append(entry)


FLAGS = [
    {},
    {"UseFIPS": True},
    {"UseDualStack": True},
    {"UseFIPS": True, "UseDualStack": True},
    {"Accelerate": True},
    {"Accelerate": True, "UseDualStack": True},
    {"Accelerate": True, "UseFIPS": True},
    {"ForcePathStyle": True},
]

# Regions of every partition, with and without a bucket, under each option.
for region in REGIONS + INVALID_REGIONS:
    for flags in FLAGS:
        case(Region=region, Bucket="bucket-name", **flags)
    for flags in FLAGS[:4]:
        case(Region=region, **flags)
    case(Region=region, Bucket="my.bucket.name")

# Every kind of bucket name, plain and under each option, in two partitions, and with
# custom endpoints (an `http` one allows dotted virtual-hosted names).
for bucket in BUCKETS + EXPRESS_BUCKETS + OUTPOST_ALIASES:
    for flags in FLAGS:
        case(Region="us-west-2", Bucket=bucket, **flags)
    case(Region="cn-north-1", Bucket=bucket)
    case(Region="us-west-2", Bucket=bucket, Endpoint="https://example.com/path")
    case(Region="us-west-2", Bucket=bucket, Endpoint="http://example.com:8080")
    case(Region="us-east-1", Bucket=bucket, UseGlobalEndpoint=True)

# Custom endpoints: alone, with buckets, path-style, and with options they exclude.
for endpoint in ENDPOINTS:
    case(Region="us-west-2", Endpoint=endpoint)
    for bucket in ["bucket-name", "my.bucket.name", "Bucket-Upper", "bucket name"]:
        case(Region="us-west-2", Endpoint=endpoint, Bucket=bucket)
        case(Region="us-west-2", Endpoint=endpoint, Bucket=bucket, ForcePathStyle=True)
    case(Region="us-west-2", Endpoint=endpoint, Bucket="bucket-name", UseFIPS=True)
    case(Region="us-west-2", Endpoint=endpoint, Bucket="bucket-name", UseDualStack=True)
    case(Region="us-west-2", Endpoint=endpoint, Bucket="bucket-name", Accelerate=True)
    case(Region="us-east-1", Endpoint=endpoint, UseGlobalEndpoint=True)
    case(Region="us-west-2", Endpoint=endpoint, Bucket="mybucket--usw2-az1--x-s3")
    case(Region="us-west-2", Endpoint=endpoint, Bucket=ACCESS_POINT)
    case(Region="us-west-2", Endpoint=endpoint, Bucket=MRAP)
    case(Region="us-west-2", Endpoint=endpoint, Bucket=OUTPOST_ACCESS_POINT)
    case(Region="us-west-2", Endpoint=endpoint, Bucket=OBJECT_LAMBDA_ACCESS_POINT)
    case(Region="us-west-2", Endpoint=endpoint, UseObjectLambdaEndpoint=True)
    case(Endpoint=endpoint, Bucket="bucket-name")

# ARNs: in their own region, another region and another partition, with UseArnRegion unset,
# true and false; then with the options that exclude them.
for arn in ARNS:
    case(Region="us-west-2", Bucket=arn)
    for use_arn_region in [True, False]:
        case(Region="us-west-2", Bucket=arn, UseArnRegion=use_arn_region)
    for region in ["us-east-1", "cn-north-1"]:
        case(Region=region, Bucket=arn)
        case(Region=region, Bucket=arn, UseArnRegion=True)
        case(Region=region, Bucket=arn, UseArnRegion=False)
    case(Region="us-gov-west-1", Bucket=arn, UseArnRegion=True)
    for flags in FLAGS[1:]:
        case(Region="us-west-2", Bucket=arn, **flags)
    case(Region="us-west-2", Bucket=arn, DisableAccessPoints=True)
    case(Region="us-west-2", Bucket=arn, DisableMultiRegionAccessPoints=True)
    case(Region="aws-global", Bucket=arn, UseGlobalEndpoint=True)

# The global endpoint of us-east-1.
for region in ["us-east-1", "aws-global", "us-west-2", "cn-north-1"]:
    for flags in FLAGS:
        case(Region=region, UseGlobalEndpoint=True, **flags)
        case(Region=region, Bucket="bucket-name", UseGlobalEndpoint=True, **flags)

# S3 Express: session auth, the control endpoint, and other regions.
for bucket in EXPRESS_BUCKETS[:2] + EXPRESS_BUCKETS[8:9]:
    for control in [None, True, False]:
        for session_auth in [None, True]:
            for flags in FLAGS[:4]:
                params = dict(Region="us-west-2", Bucket=bucket, **flags)
                if control is not None:
                    params["UseS3ExpressControlEndpoint"] = control
                if session_auth is not None:
                    params["DisableS3ExpressSessionAuth"] = session_auth
                case(**params)
for region in ["us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1"]:
    case(Region=region, Bucket="mybucket--use1-az4--x-s3")
    case(Region=region, Bucket="mybucket--use1-az4--x-s3", UseS3ExpressControlEndpoint=True)
    case(Region=region, UseS3ExpressControlEndpoint=True)
    case(Region=region, UseS3ExpressControlEndpoint=True, UseFIPS=True)

# Object Lambda without an ARN.
for region in ["us-west-2", "cn-north-1", "us-gov-west-1", "us east 1"]:
    for flags in FLAGS[:5]:
        case(Region=region, UseObjectLambdaEndpoint=True, **flags)

# Parameters no rule reads, and no region at all.
case(Region="us-west-2", Bucket="bucket-name", Key="a/b c.txt", Prefix="a/", CopySource="src/key")
case(Region="us-west-2", Key="key")
case(Bucket="bucket-name")
case(Bucket=ACCESS_POINT)
case()

out = HERE / "endpoint_cases.json"
lines = ",\n".join(json.dumps(c, ensure_ascii=False, sort_keys=True) for c in cases)
out.write_text(
    '{"derived_with": "botocore.endpoint_provider", "cases": [\n' + lines + "\n]}\n"
)
print(f"wrote {len(cases)} cases to {out.relative_to(ROOT)}")

#!/usr/bin/env python3
"""Derives tests/data/timestamp_cases.json: how botocore reads timestamps in responses.

botocore's JSON response parser reads every timestamp member with
botocore.utils.parse_timestamp, whatever the model's timestampFormat says: epoch seconds
as a number or as text, ISO 8601 strings, HTTP dates. The expected values come from that
function, the reference implementation. Run with TZ=UTC (botocore reads a string without
a zone in the local zone; the SDK reads it as UTC):

    pip install botocore   # any version: only parse_timestamp is used
    TZ=UTC python3 tests/data/derive_timestamp_cases.py

Each case is the JSON value a service could send and, when botocore reads it, the
instant as whole epoch seconds and microseconds (botocore keeps no finer precision);
`null` where botocore refuses the value.
"""
import datetime
import json
import os
import pathlib

from botocore.utils import parse_timestamp

assert os.environ.get("TZ") == "UTC", "run with TZ=UTC"

VALUES = [
    # Epoch seconds, as the awsJson model says.
    1700000000, 1700000000.5, 1700000000.123456, 0, -1.5, 951782400,
    # Epoch seconds as text.
    "1700000000", "1700000000.5", "1700000000.123", " 1700000000 ", "-1.5", "+42",
    "1.7e9", ".5", "5.", "1700000000.123456789",
    # ISO 8601 / RFC 3339.
    "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.5Z", "2023-11-14T22:13:20.123Z",
    "2023-11-14T22:13:20.123456Z", "2023-11-14T22:13:20.123456789Z",
    "2023-11-14t22:13:20z", "2023-11-14 22:13:20Z",
    "2023-11-14T23:13:20+01:00", "2023-11-14T20:13:20-02:00", "2023-11-14T22:13:20+00:00",
    "2023-11-14T23:13:20+0100", "2023-11-14T23:13:20+01", "2023-11-14T22:13:20.25-0030",
    "2023-11-14T22:13:20", "2023-11-14T22:13:20.75", "2023-11-14T22:13:20,5Z",
    "2000-02-29T00:00:00Z", "1969-12-31T23:59:59Z", "2030-01-01T00:00:00Z",
    # HTTP dates.
    "Tue, 14 Nov 2023 22:13:20 GMT", "Sun, 06 Nov 1994 08:49:37 GMT",
    # Refused by botocore.
    "soon", "", "2023-02-30T00:00:00Z", "2023-13-01T00:00:00Z", "inf", "nan",
]


def read(value):
    try:
        parsed = parse_timestamp(value)
    except Exception:  # botocore raises ValueError or RuntimeError
        return None
    if parsed.tzinfo is None:
        # No zone in the text: botocore means local time, which is UTC here.
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    seconds = int(parsed.replace(microsecond=0).timestamp())
    return {"seconds": seconds, "micros": parsed.microsecond}


cases = [{"value": value, "botocore": read(value)} for value in VALUES]
out = pathlib.Path(__file__).with_name("timestamp_cases.json")
out.write_text(json.dumps(cases, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {out}")

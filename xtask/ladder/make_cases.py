#!/usr/bin/env python3
"""What botocore sends and reads, for the sweep's wire tests (`cargo xtask sweep --compile ladder`).

Usage: make_cases.py --botocore WHEEL_OR_DIR --models DIR --out DIR SERVICE...

For each SERVICE (a botocore name; its model is DIR/SERVICE/service-2.json as the sweep extracted
it) and each of its operations (event-stream operations are listed as skipped), this builds
sample inputs from the model and runs botocore's own code on them, imported from the botocore
wheel or unpacked wheel WHEEL_OR_DIR (no network; botocore's dependencies, jmespath,
python-dateutil and urllib3, come from the Python installation or from wheels next to
WHEEL_OR_DIR), and writes OUT/SERVICE.json with, per operation:

- `requests`: cases of params and the request botocore's client makes of them: the
  `before-parameter-build` handlers botocore registers (`generate_idempotent_uuid` fills the
  top-level idempotency tokens a case leaves unset; where it did, the body has the marker
  `<uuid4>`), then `botocore.serialize.create_serializer("json")` (the protocol the generated
  crates speak, also for models that list smithy-rpc-v2-cbor first), with its host-prefix
  expansion: method, path, headers, host prefix and the body as JSON. Cases: every member set
  (nested structures, recursion cut at the second visit of a shape, one member of each union,
  lists of 2, maps of 2, documents as nested JSON); the idempotency tokens unset (top level and
  nested: botocore fills only the top level); only the required members.
  `redacted` lists the string values set under members the model marks sensitive, which
  `Debug` of the Rust input must not show (botocore does not redact; this comes from the model).
- `errors`: for each modeled error (once, even where the model lists it twice) responses in the
  forms AWS sends: `__type` bare with `message`, `namespace#Name` with `Message`, the
  `x-amzn-errortype` header with its `:http://...` suffix; for awsQueryCompatible services with
  `x-amzn-query-error: Code;Sender`; and one unmodeled code. Expected: what
  `botocore.parsers.create_parser("json").parse(...)` makes of it (Error.Code, Error.Message,
  the request id) and the exception botocore's client raises (`client.exceptions.from_code` after
  the `after-call` handlers: sqs's picks by the shape name), or null for a plain ClientError.
- `unsigned`: whether botocore's client sends it unsigned (`authtype: none`, `smithy.api#noAuth`).

What is independent of the Rust side: the expected requests and errors are botocore's. The params
are in the JSON form the generated input types deserialize (serde, member names as on the wire),
chosen so that deserializing and re-serializing does not reproduce them: every timestamp is
given in the other form than the one botocore sends (ISO 8601 text where botocore sends epoch
seconds, epoch seconds where the model says iso8601), so a wrong timestampFormat shows. Blobs
are base64 (the only form the Rust type reads) made by Python's base64 module, the body's by
botocore. Sample values satisfy the model's length and range constraints (the Rust client checks
them before sending), not its patterns.

Rerun by hand (the sweep does this itself, into its scratch workspace):

    python3 xtask/ladder/make_cases.py --botocore /tmp/botocore/botocore-1.44.8-py3-none-any.whl \\
        --models /tmp/sweep-ladder/models --out /tmp/cases dynamodb sqs
"""

import argparse
import base64
import copy
import datetime
import glob
import json
import os
import sys

TIMESTAMP = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
TIMESTAMP_EPOCH = 1704164645
TIMESTAMP_ISO = "2024-01-02T03:04:05Z"
UUID_MARKER = "<uuid4>"
DOCUMENT = {"name": "doc", "list": [1, "two", {"three": True}], "nested": {"n": 2}}
REQUEST_ID = "ladder-request-id"


def import_botocore(path):
    path = os.path.abspath(path)
    if os.path.isfile(path):
        root = path
    elif os.path.isfile(os.path.join(path, "botocore", "__init__.py")):
        root = path
    elif os.path.isfile(os.path.join(path, "..", "__init__.py")):
        root = os.path.dirname(os.path.dirname(path))  # .../botocore/data
    else:
        sys.exit(f"{path}: not a botocore wheel, unpacked wheel or botocore/data directory")
    sys.path.insert(0, root)
    # botocore's dependencies, if they were downloaded next to it (`pip download botocore`).
    for wheel in sorted(glob.glob(os.path.join(os.path.dirname(root), "*.whl"))):
        if wheel != root:
            sys.path.append(wheel)
    import botocore  # noqa: F401

    if not os.path.abspath(botocore.__file__).startswith(root):
        sys.exit(f"botocore was imported from {botocore.__file__}, not from {root}")
    return botocore


class Sampler:
    """Sample params of an input shape: (botocore's Python form, the Rust input's JSON form)."""

    def __init__(self, mode):
        # mode: "all", "no-tokens" (every idempotency token unset) or "required".
        self.mode = mode
        self.counter = 0
        self.redacted = []

    def next(self):
        self.counter += 1
        return self.counter

    def value(self, shape, stack, sensitive):
        sensitive = sensitive or bool(shape.metadata.get("sensitive"))
        kind = shape.type_name
        if kind == "structure":
            if shape.metadata.get("document"):
                return copy.deepcopy(DOCUMENT), copy.deepcopy(DOCUMENT)
            return self.structure(shape, stack, sensitive)
        if kind == "list":
            count = self.count(shape)
            if shape.member.name in stack and not shape.metadata.get("min"):
                count = 0
            items = [self.value(shape.member, stack, sensitive) for _ in range(count)]
            return [p for p, _ in items], [r for _, r in items]
        if kind == "map":
            count = self.count(shape)
            py, rust = {}, {}
            for i in range(count):
                key, _ = self.value(shape.key, stack, sensitive)
                if key in py:
                    continue
                value = self.value(shape.value, stack, sensitive)
                py[key], rust[key] = value
            return py, rust
        if kind == "string":
            if shape.enum:
                value = shape.enum[self.next() % len(shape.enum)]
            else:
                value = self.string(shape)
            # Only the values that are unmistakable in a Debug rendering: "v<n>z" whole
            # (not cut by a max length), never part of another sample.
            if sensitive and not shape.enum and value.startswith("v") and "z" in value:
                self.redacted.append(value)
            return value, value
        if kind in ("integer", "long", "short", "byte"):
            default = {"long": 5_000_000_000, "integer": 7}.get(kind, 3)
            value = self.number(shape, default)
            return int(value), int(value)
        if kind in ("float", "double"):
            value = float(self.number(shape, 1.5))
            return value, value
        if kind == "boolean":
            return True, True
        if kind == "timestamp":
            wire = shape.serialization.get("timestampFormat", "unixtimestamp")
            # The other form than botocore's, so our deserializer and serializer both count.
            return TIMESTAMP, (TIMESTAMP_EPOCH if wire != "unixtimestamp" else TIMESTAMP_ISO)
        if kind == "blob":
            data = b"\x00blob-%d\xff" % self.next()
            return data, base64.b64encode(data).decode()
        sys.exit(f"{shape.name}: shape type {kind} not handled")

    def count(self, shape):
        low = shape.metadata.get("min", 0)
        high = shape.metadata.get("max", 2)
        return max(low, min(2, high))

    def number(self, shape, default):
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        value = default
        if high is not None and value > high:
            value = high
        if low is not None and value < low:
            value = low
        return value

    def string(self, shape):
        value = "v%dz" % self.next()
        low = shape.metadata.get("min", 0)
        high = shape.metadata.get("max")
        if len(value) < low:
            value = value + "x" * (low - len(value))
        if high is not None and len(value) > high:
            value = value[:high]
        return value

    def structure(self, shape, stack, sensitive):
        py, rust = {}, {}
        members = list(shape.members.items())
        # Recursion: at its second visit a structure sets only its scalar (and required)
        # members, at its third none.
        visits = stack.count(shape.name)
        if visits >= 2:
            return py, rust
        container = ("structure", "list", "map")
        if shape.is_tagged_union:
            members = [m for m in members if m[1].name not in stack][:1] or members[:1]
            if visits:
                members = [m for m in shape.members.items() if m[1].type_name not in container][:1] or members
        stack = stack + [shape.name]
        required = set(shape.required_members)
        for name, member in members:
            if self.mode == "required" and name not in required and not shape.is_tagged_union:
                continue
            if member.metadata.get("idempotencyToken") and self.mode == "no-tokens":
                continue
            if visits and member.type_name in container and name not in required:
                continue
            value, json_value = self.value(member, stack, sensitive)
            py[name] = value
            rust[member.serialization.get("name", name)] = json_value
        return py, rust


def load_service(botocore, models, service):
    from botocore.model import ServiceModel

    with open(os.path.join(models, service, "service-2.json")) as f:
        return ServiceModel(json.load(f), service_name=service)


def make_emitter(botocore):
    from botocore import handlers, hooks

    emitter = hooks.HierarchicalEmitter()
    for spec in handlers.BUILTIN_HANDLERS:
        if len(spec) == 2:
            emitter.register(spec[0], spec[1])
        elif spec[2] is handlers.REGISTER_FIRST:
            emitter.register_first(spec[0], spec[1])
        else:
            emitter.register_last(spec[0], spec[1])
    return emitter


def has_token(shape, seen=()):
    if shape.name in seen:
        return False
    seen = seen + (shape.name,)
    kind = shape.type_name
    if kind == "structure" and not shape.metadata.get("document"):
        return any(
            m.metadata.get("idempotencyToken") or has_token(m, seen) for m in shape.members.values()
        )
    if kind == "list":
        return has_token(shape.member, seen)
    if kind == "map":
        return has_token(shape.value, seen)
    return False


def request_case(botocore, emitter, serializer, service_model, op, mode, label):
    sampler = Sampler(mode)
    if op.input_shape is None:
        params, rust = {}, {}
    else:
        params, rust = sampler.value(op.input_shape, [], False)
    before = set(params)
    service_id = service_model.service_id.hyphenize()
    context = {}
    emitter.emit(
        f"before-parameter-build.{service_id}.{op.name}", params=params, model=op, context=context
    )
    generated = [params[k] for k in set(params) - before]
    request = serializer.serialize_to_request(params, op)
    body = request["body"]
    if isinstance(body, bytes):
        body = body.decode()
    text = body
    for uuid in generated:
        text = text.replace(json.dumps(uuid), json.dumps(UUID_MARKER))
    path = request["url_path"]
    if request.get("query_string"):
        from urllib.parse import urlencode

        path += "?" + urlencode(request["query_string"], doseq=True)
    return {
        "case": label,
        "params": rust,
        "method": request["method"],
        "path": path,
        "headers": {k.lower(): v for k, v in request["headers"].items()},
        "host_prefix": request.get("host_prefix"),
        "body": json.loads(text) if text else "",
        "generated_tokens": len(generated),
        "redacted": sorted(set(sampler.redacted)),
    }


def error_cases(botocore, emitter, service_model, op):
    from botocore import parsers
    from botocore.errorfactory import ClientExceptionsFactory

    exceptions = ClientExceptionsFactory().create_client_exceptions(service_model)
    parser = parsers.create_parser("json")
    json_version = service_model.metadata.get("jsonVersion", "1.0")
    content_type = f"application/x-amz-json-{json_version}"
    namespace = "com.amazonaws." + service_model.endpoint_prefix
    service_id = service_model.service_id.hyphenize()
    query_compatible = "awsQueryCompatible" in service_model.metadata
    forms = []
    seen = set()
    for shape in op.error_shapes:
        if shape.name in seen:
            continue
        seen.add(shape.name)
        error = shape.metadata.get("error", {})
        status = error.get("httpStatusCode") or (500 if shape.metadata.get("fault") else 400)
        name = shape.name
        suffix = ":http://internal.amazon.com/coral/com.amazon.coral.service/"
        forms.append((f"{name}, __type bare", status, {}, {"__type": name, "message": f"m-{name}-1"}))
        forms.append(
            (f"{name}, __type namespace#Name", status, {},
             {"__type": f"{namespace}#{name}", "Message": f"m-{name}-2"})
        )
        forms.append(
            (f"{name}, x-amzn-errortype", status, {"x-amzn-errortype": name + suffix},
             {"__type": f"{namespace}#{name}", "message": f"m-{name}-3"})
        )
        if query_compatible:
            code = error.get("code") or f"AWS.{service_model.service_id.replace(' ', '')}.{name}"
            forms.append(
                (f"{name}, x-amzn-query-error", status,
                 {"x-amzn-query-error": f"{code};Sender"},
                 {"__type": f"{namespace}#{name}", "message": f"m-{name}-4"})
            )
    forms.append(("unmodeled code", 400, {}, {"__type": "LadderUnmodeledException", "message": "m-unmodeled"}))
    cases = []
    for label, status, extra, body in forms:
        headers = {"content-type": content_type, "x-amzn-requestid": REQUEST_ID}
        headers.update(extra)
        raw = json.dumps(body)
        parsed = parser.parse(
            {"status_code": status, "headers": headers, "body": raw.encode()}, op.output_shape
        )
        context = {}
        emitter.emit(
            f"after-call.{service_id}.{op.name}",
            http_response=None,
            parsed=parsed,
            model=op,
            context=context,
        )
        code = context.get("error_code_override") or parsed["Error"]["Code"]
        exception = exceptions.from_code(code)
        cases.append(
            {
                "case": label,
                "status": status,
                "headers": headers,
                "body": raw,
                "code": parsed["Error"]["Code"],
                "message": parsed["Error"]["Message"],
                "request_id": parsed.get("ResponseMetadata", {}).get("RequestId"),
                "shape": None if exception is exceptions.ClientError else exception.__name__,
                "query_error": "x-amzn-query-error" in extra,
            }
        )
    return cases


def unsigned(op):
    auth = getattr(op, "auth", None) or []
    return op.auth_type == "none" or (bool(auth) and auth[0] == "smithy.api#noAuth")


def main():
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--botocore", required=True)
    args.add_argument("--models", required=True)
    args.add_argument("--out", required=True)
    args.add_argument("services", nargs="+")
    args = args.parse_args()
    botocore = import_botocore(args.botocore)
    from botocore import serialize

    emitter = make_emitter(botocore)
    serializer = serialize.create_serializer("json", include_validation=True)
    os.makedirs(args.out, exist_ok=True)
    for service in args.services:
        model = load_service(botocore, args.models, service)
        out = {
            "service": service,
            "botocore_version": botocore.__version__,
            "protocol": "json",
            "operations": {},
            "skipped": {},
        }
        for name in model.operation_names:
            op = model.operation_model(name)
            if op.has_event_stream_input or op.has_event_stream_output:
                out["skipped"][name] = "an event-stream operation"
                continue
            modes = [("all", "every member set")]
            if op.input_shape is not None and has_token(op.input_shape):
                modes.append(("no-tokens", "idempotency tokens unset"))
            modes.append(("required", "required members only"))
            requests = []
            for mode, label in modes:
                try:
                    requests.append(request_case(botocore, emitter, serializer, model, op, mode, label))
                except Exception as error:  # a sample botocore refuses: say so in the cases
                    sys.exit(f"{service}/{name} [{label}]: botocore refused the sample: {error}")
            out["operations"][name] = {
                "unsigned": unsigned(op),
                "authtype": op.auth_type,
                "requests": requests,
                "errors": error_cases(botocore, emitter, model, op),
            }
        path = os.path.join(args.out, f"{service}.json")
        text = json.dumps(out, sort_keys=True) + "\n"
        if not (os.path.isfile(path) and open(path).read() == text):
            with open(path, "w") as f:
                f.write(text)
        print(
            f"{service}: {len(out['operations'])} operations, {len(out['skipped'])} skipped",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generates the fault matrix as shared scenarios: tests/scenarios/fault-<fault>-<operation>.json.

Every engine's runner executes every file of tests/scenarios, so the matrix runs on Rust, Python
(sync and async), Node and WASM with no per-engine code. One file per cell: 11 faults x 5
operations, plus 5 cells of a create that carries an idempotency key.

The expectations follow the core's retry policy (core/src/http.rs, retry.rs, auth.rs):

- 408/429/500/502/503/504 and transport failures (connection dropped, body cut short, timeout)
  are retried as the method's retry class (core/src/api.rs) allows: GET/PUT/DELETE always; a
  keyed POST (`integrations.create`) only with an idempotency key; a credential mint
  (`applications.create`, DECISIONS V8) never, with or without a key (V10), once it may have
  reached the server; PATCH without an idempotency key never.
- A write that is not sent again and fails after it may have reached the server (a timeout, a
  connection lost after sending, a 502/503/504) has `outcomeUnknown: true`; every other error
  says `false`.
- A 401 drops the token, mints a new one and resends once, whatever the method: the server
  refused the request before acting on it.
- A 2xx whose body is not JSON is a `decode` error and never retried; an operation whose answer
  has no content (archive) ignores the body.

Usage:
    fault_matrix.py            write the files
    fault_matrix.py --check    exit 1 if a file is missing, differs, or is stale (not generated)
    fault_matrix.py --list     print the file names

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "scenarios"
PREFIX = "fault-"

# Per-attempt timeout of the faulted call in the timeout cells, and how long the emulator holds
# that request. Every other call uses the client timeout below, so nothing can hang for long.
TIMEOUT_MS = 600
DELAY_MS = 1500
# After a timed-out call, wait until the held request has finished on the emulator, so the
# state check is deterministic and nothing lands in the next scenario of a runner that reuses
# one emulator (a late write would land in the next scenario's fresh organization).
SETTLE_MS = DELAY_MS - TIMEOUT_MS + 200
# A retried call already waited a backoff (at least 375 ms) before its second send.
SETTLE_AFTER_RETRY_MS = DELAY_MS - TIMEOUT_MS - 375 + 200
CLIENT = {"timeoutMs": 10000}

REDIRECT = "https://agents.acme-corp.com/oauth/callback"

# ---------------------------------------------------------------------------------------------
# Faults. `kind`: how the client sees it when it is not retried (or retries are spent).
# `family`: "status" (an error status), "transport" (no complete response), "decode" (a 2xx
# that is not JSON), "auth" (401, renewed and resent whatever the method).


def _status(status: int, message: str, **extra) -> dict:
    return {"status": status, "body": {"message": message, "statusCode": status}, **extra}


FAULTS: list[dict] = [
    {"id": "500", "label": "500 Internal Server Error", "family": "status", "status": 500,
     "rule": _status(500, "Internal server error"),
     "error": {"kind": "server_error", "status": 500, "code": "kontext_server_error"}},
    {"id": "502", "label": "502 Bad Gateway", "family": "status", "status": 502,
     "rule": _status(502, "Bad gateway"),
     "error": {"kind": "server_error", "status": 502, "code": "kontext_server_error"}},
    {"id": "503", "label": "503 Service Unavailable", "family": "status", "status": 503,
     "rule": _status(503, "Service temporarily unavailable"),
     "error": {"kind": "server_error", "status": 503, "code": "kontext_server_error"}},
    {"id": "504", "label": "504 Gateway Timeout", "family": "status", "status": 504,
     "rule": _status(504, "Gateway timeout"),
     "error": {"kind": "server_error", "status": 504, "code": "kontext_server_error"}},
    {"id": "429", "label": "429 with Retry-After: 1", "family": "status", "status": 429,
     "rule": _status(429, "Rate limit exceeded: 120 requests per minute", headers={"retry-after": "1"}),
     "error": {"kind": "rate_limited", "status": 429, "code": "kontext_rate_limited", "retryAfter": 1}},
    {"id": "dropped", "label": "connection dropped before the response", "family": "transport", "status": None,
     "rule": {"action": "drop"},
     "error": {"kind": "connection", "code": "kontext_network_error"}},
    {"id": "truncated", "label": "truncated body (Content-Length > body)", "family": "transport", "status": 200,
     "rule": {"action": "truncate"},
     "error": {"kind": "connection", "code": "kontext_network_error"}},
    {"id": "malformed", "label": "200 with malformed JSON", "family": "decode", "status": 200,
     "rule": {"action": "malformed"},
     "error": {"kind": "decode", "status": 200, "code": "kontext_decode_error"}},
    {"id": "html", "label": "HTML error page (502 text/html)", "family": "status", "status": 502,
     "rule": {"status": 502, "headers": {"content-type": "text/html; charset=utf-8"},
              "body": "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
                      "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"},
     "error": {"kind": "server_error", "status": 502, "code": "kontext_server_error"}},
    {"id": "timeout", "label": f"response slower than the timeout ({DELAY_MS} ms > {TIMEOUT_MS} ms)",
     "family": "transport", "status": None,
     "rule": {"action": "delay", "delayMs": DELAY_MS},
     "error": {"kind": "timeout", "code": "kontext_timeout"}},
    {"id": "expired-token", "label": "expired token (401)", "family": "auth", "status": 401,
     "rule": {"status": 401,
              "headers": {"www-authenticate": "Bearer error=\"invalid_token\", error_description=\"The access token expired\""},
              "body": {"message": "Missing or invalid token", "statusCode": 401}},
     "error": None},
]

# ---------------------------------------------------------------------------------------------
# Operations on applications. `retrySafe`: idempotent method (retried on retryable failures).

SEED_ID = "${seed.applicationIds.0}"
ITEM_PATH = "/api/v1/applications/" + SEED_ID
# Fault rules match this glob (the request-log assertions use the exact ITEM_PATH): setup.faults may
# use `${seed...}` by SCHEMA.md, but the Rust runner's static validator does not accept it there yet.
ITEM_GLOB = "/api/v1/applications/*"

OPERATIONS: list[dict] = [
    {"id": "get", "label": "GET", "method": "GET", "path": ITEM_PATH, "call": "applications.get",
     "retrySafe": True, "okStatus": 200, "noContent": False},
    {"id": "list", "label": "list", "method": "GET", "path": "/api/v1/applications", "call": "applications.list",
     "retrySafe": True, "okStatus": 200, "noContent": False},
    {"id": "create", "label": "create (POST)", "method": "POST", "path": "/api/v1/applications",
     "call": "applications.create", "retrySafe": False, "okStatus": 201, "noContent": False},
    {"id": "update", "label": "update (PATCH)", "method": "PATCH", "path": ITEM_PATH, "call": "applications.update",
     "retrySafe": False, "okStatus": 200, "noContent": False},
    {"id": "archive", "label": "archive (DELETE)", "method": "DELETE", "path": ITEM_PATH,
     "call": "applications.archive", "retrySafe": True, "okStatus": 204, "noContent": True},
]

# A keyed POST (an integration: no credential is minted) with options.idempotencyKey under these
# faults: retried, and exactly one integration.
IDEMPOTENT_FAULTS = ["503", "429", "dropped", "truncated", "timeout"]
IDEMPOTENT_OP = {"id": "create-idempotent", "label": "create + Idempotency-Key", "method": "POST",
                 "path": "/api/v1/integrations", "call": "integrations.create", "retrySafe": True,
                 "okStatus": 201, "noContent": False}
INTEGRATION_URL = "https://mcp.linear.app/sse"


def outcome_unknown(fault: dict, op: dict) -> bool:
    """Whether a failed, unrepeated write may have taken effect (core/src/error.rs)."""
    if op["retrySafe"] or op["method"] == "GET":
        return False
    return fault["family"] == "transport" or fault["status"] in (502, 503, 504)


def expected(fault: dict, op: dict) -> dict:
    """The outcome of one cell under the core's policy: {ok, sends, tokens, note}."""
    family = fault["family"]
    if family == "auth":
        return {"ok": True, "sends": 2, "tokens": 2, "note": "token renewed once, request resent once"}
    if family == "decode":
        if op["noContent"]:
            return {"ok": True, "sends": 1, "tokens": 1, "note": "no-content answer: body ignored"}
        return {"ok": False, "sends": 1, "tokens": 1, "note": "a 2xx that is not JSON is never retried"}
    if op["retrySafe"]:
        return {"ok": True, "sends": 2, "tokens": 1, "note": "retried once, then success"}
    note = {"PATCH": "not idempotent: not retried", "POST": "a credential mint: never re-sent"}[op["method"]]
    if outcome_unknown(fault, op):
        note += "; the outcome is unknown"
    return {"ok": False, "sends": 1, "tokens": 1, "note": note}


def app_name(fault: dict, op: dict) -> str:
    return f"fault-matrix-{fault['id']}-{op['id']}"


def call_step(fault: dict, op: dict, outcome: dict) -> dict:
    name = app_name(fault, op)
    description = f"updated under fault {fault['id']}"
    if op["call"] == "applications.create":
        step = {"call": op["call"], "args": [{"name": name, "description": "created by the fault matrix",
                                              "oauth": {"redirectUris": [REDIRECT]}}]}
        ok = {"application": {"name": name}, "oauth": {"clientSecret": {"$type": "string"}}}
    elif op["call"] == "integrations.create":
        step = {"call": op["call"], "args": [{"name": name, "url": INTEGRATION_URL, "authMode": "oauth"}]}
        ok = {"integration": {"name": name}}
    elif op["call"] == "applications.update":
        step = {"call": op["call"], "args": [SEED_ID, {"description": description}]}
        ok = {"application": {"id": SEED_ID, "description": description}}
    elif op["call"] == "applications.get":
        step = {"call": op["call"], "args": [SEED_ID]}
        ok = {"application": {"id": SEED_ID}}
    elif op["call"] == "applications.list":
        step = {"call": op["call"]}
        ok = {"items": {"$length": 2}}
    else:  # archive
        step = {"call": op["call"], "args": [SEED_ID]}
        ok = None
    options = {}
    if op["id"] == "create-idempotent":
        options["idempotencyKey"] = f"fault-matrix-{fault['id']}-7c1e2a"
    if fault["id"] == "timeout":
        options["timeoutMs"] = TIMEOUT_MS
    if options:
        step["options"] = options
    if outcome["ok"]:
        step["expect"] = ok
    else:
        step["expectError"] = {**fault["error"], "outcomeUnknown": outcome_unknown(fault, op)}
    if op["id"] == "create-idempotent":
        step["save"] = {"integrationId": "integration.id"}
    return step


def scenario(fault: dict, op: dict) -> dict:
    outcome = expected(fault, op)
    seeded = op["call"] not in ("applications.create", "integrations.create")
    rule_path = ITEM_GLOB if op["path"] == ITEM_PATH else op["path"]
    rule = {"method": op["method"], "path": rule_path, **fault["rule"], "times": 1}
    setup: dict = {}
    if seeded:
        setup["seed"] = {"applications": 2}
    setup["faults"] = [rule]
    setup["client"] = dict(CLIENT)

    steps: list[dict] = [call_step(fault, op, outcome)]
    method, path = op["method"], op["path"]
    # What reached the emulator: how many times the operation was sent.
    steps.append({"requests": {"method": method, "path": path, "count": outcome["sends"]}})
    if fault["status"] is not None and fault["family"] != "decode" and fault["id"] != "truncated":
        # The fault answered the operation itself (not the token request).
        steps.append({"requests": {"method": method, "path": path, "status": fault["status"], "count": 1}})
    if outcome["ok"] and outcome["sends"] == 2:
        # ... and the second send is the one that succeeded (a truncated answer logs 200 too).
        also_fault = 1 if fault["status"] == op["okStatus"] else 0
        steps.append({"requests": {"method": method, "path": path, "status": op["okStatus"], "count": 1 + also_fault}})
    if op["id"] == "create-idempotent":
        key = steps[0]["options"]["idempotencyKey"]
        steps.append({"requests": {"method": method, "path": path, "header": {"idempotency-key": key}, "count": 2}})
    if fault["id"] == "timeout":
        # Let the held request finish on the emulator before checking state.
        steps.append({"sleepMs": SETTLE_AFTER_RETRY_MS if outcome["sends"] == 2 else SETTLE_MS})

    # State: nothing lost, nothing duplicated.
    name = app_name(fault, op)
    description = f"updated under fault {fault['id']}"
    if op["id"] == "create-idempotent":
        steps.append({"call": "integrations.listAll", "expect": [{"id": "${integrationId}", "name": name}]})
    elif op["call"] == "applications.create":
        if outcome["ok"]:
            steps.append({"call": "applications.listAll", "expect": [{"name": name}]})
        elif fault["id"] != "timeout":
            # The faulted POST never reached the API, and the client did not send it again.
            steps.append({"call": "applications.listAll", "expect": {"$length": 0}})
        else:
            # The held POST may be applied late by the server; never twice (one send).
            steps.append({"call": "applications.listAll", "expect": {"$not": {"$minLength": 2}}})
    elif op["call"] == "applications.update":
        if outcome["ok"]:
            steps.append({"call": "applications.get", "args": [SEED_ID],
                          "expect": {"application": {"description": description}}})
        elif fault["id"] != "timeout":
            steps.append({"call": "applications.get", "args": [SEED_ID],
                          "expect": {"application": {"description": {"$not": description}}}})
    elif op["call"] == "applications.archive" and fault["family"] != "decode":
        steps.append({"call": "applications.get", "args": [SEED_ID],
                      "expect": {"application": {"id": SEED_ID, "archivedAt": {"$type": "string"}}}})

    # The client is still usable, kept its token, and saw no 401 it did not cause.
    steps.append({"call": "applications.list", "expect": {"items": {"$type": "array"}}})
    steps.append({"requests": {"method": "POST", "path": "/oauth2/token", "count": outcome["tokens"]}})
    steps.append({"requests": {"status": 401, "count": 1 if fault["family"] == "auth" else 0}})

    result = "succeeds" if outcome["ok"] else f"fails with kind {fault['error']['kind']}"
    sends = "once" if outcome["sends"] == 1 else f"{outcome['sends']} times"
    purpose = (f"Fault matrix cell: {op['label']} of an application answered by '{fault['label']}' "
               f"(times 1) {result} after being sent {sends} ({outcome['note']}); "
               f"state is consistent and the client stays usable with its cached token.")
    if op["id"] == "create-idempotent":
        purpose = (f"Fault matrix cell: an integration create (a keyed POST) carrying "
                   f"options.idempotencyKey, answered by '{fault['label']}' (times 1), is retried with the "
                   f"same Idempotency-Key and the integration exists exactly once; the client stays usable.")
    return {"name": f"{PREFIX}{fault['id']}-{op['id']}", "purpose": purpose, "readOnly": False,
            "setup": setup, "steps": steps}


def render(doc: dict) -> str:
    """The suite's layout: one line per fault, client and step."""
    j = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    lines = ["{", f'  "name": {j(doc["name"])},', f'  "purpose": {j(doc["purpose"])},',
             f'  "readOnly": {j(doc["readOnly"])},', '  "setup": {']
    setup_lines = []
    for key, value in doc["setup"].items():
        if key == "faults":
            inner = ",\n".join(f"      {j(f)}" for f in value)
            setup_lines.append(f'    "faults": [\n{inner}\n    ]')
        else:
            setup_lines.append(f"    {j(key)}: {j(value)}")
    lines.append(",\n".join(setup_lines))
    lines.append("  },")
    lines.append('  "steps": [')
    lines.append(",\n".join(f"    {j(s)}" for s in doc["steps"]))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def cells() -> list[tuple[dict, dict]]:
    out = [(f, op) for f in FAULTS for op in OPERATIONS]
    by_id = {f["id"]: f for f in FAULTS}
    out += [(by_id[f], IDEMPOTENT_OP) for f in IDEMPOTENT_FAULTS]
    return out


def generate() -> dict[str, str]:
    files = {}
    for fault, op in cells():
        doc = scenario(fault, op)
        files[doc["name"] + ".json"] = render(doc)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the files on disk differ")
    parser.add_argument("--list", action="store_true", help="print the generated file names")
    parser.add_argument("--out", type=Path, default=SCENARIOS, help="scenario folder")
    args = parser.parse_args()
    files = generate()
    if args.list:
        print("\n".join(sorted(files)))
        return 0
    existing = {p.name for p in args.out.glob(f"{PREFIX}*.json")}
    if args.check:
        problems = []
        for name, text in sorted(files.items()):
            path = args.out / name
            if not path.exists():
                problems.append(f"missing: {name}")
            elif path.read_text(encoding="utf-8") != text:
                problems.append(f"differs: {name}")
        problems += [f"not generated (stale): {n}" for n in sorted(existing - files.keys())]
        if problems:
            print("\n".join(problems), file=sys.stderr)
            print(f"{len(problems)} problem(s); run tests/reliability/fault_matrix.py to regenerate",
                  file=sys.stderr)
            return 1
        print(f"fault matrix up to date: {len(files)} files in {args.out.relative_to(ROOT)}")
        return 0
    for stale in sorted(existing - files.keys()):
        (args.out / stale).unlink()
        print(f"removed stale {stale}")
    for name, text in sorted(files.items()):
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {args.out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

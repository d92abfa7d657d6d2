#!/usr/bin/env python3
"""Prints the fault matrix and the concurrency checks from the scenario files, with counts, and
(given runner outputs) how many cells passed on each engine.

Everything printed about expectations is read from tests/scenarios/fault-*.json and
concurrency-*.json themselves (not from the generator), so the report shows what the runners
actually execute.

Usage:
    matrix_report.py [--results [ENGINE=]FILE ...] [--require-all]

Results: a runner's output, in either form
  - JSON: {"engine": "python-sync", "results": {"fault-500-get": "passed", ...}}
    (values "passed" | "failed" | "skipped"), the format runners may write for this tool;
  - text: the runner's console output (libtest `test NAME ... ok|FAILED`, node:test `✔ NAME` /
    `✖ NAME`, TAP `ok N - NAME` / `not ok N - NAME`, pytest `PASSED ...[NAME-sync]` (with -rA; a
    `-sync`/`-async`/`-native`/`-wasm` suffix becomes an engine line of its own), or any line
    that names a scenario next to ok/pass/fail). A scenario named on a failing line counts as
    failed; one never named counts as not run.
The engine name defaults to the file name without extension. Exit status 1 when a cell failed
(or, with --require-all, was not run).

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "scenarios"

FAULT_ORDER = ["500", "502", "503", "504", "429", "dropped", "truncated", "malformed", "html", "timeout",
               "expired-token"]
OP_ORDER = ["get", "list", "create", "update", "archive", "create-idempotent"]
OP_HEADER = {"get": "get", "list": "list", "create": "create", "update": "update", "archive": "archive",
             "create-idempotent": "create+key"}
OP_HTTP = {"get": "GET", "list": "GET", "create": "POST", "update": "PATCH", "archive": "DELETE",
           "create-idempotent": "POST"}


def split_name(name: str) -> tuple[str, str] | None:
    """fault-<fault>-<op> → (fault, op); ops may contain '-' (create-idempotent)."""
    if not name.startswith("fault-"):
        return None
    rest = name[len("fault-"):]
    for op in sorted(OP_ORDER, key=len, reverse=True):
        if rest.endswith("-" + op):
            return rest[: -len(op) - 1], op
    return None


def describe_fault(rule: dict) -> str:
    action = rule.get("action") or "respond"
    if action == "respond":
        ctype = (rule.get("headers") or {}).get("content-type", "")
        extra = " html" if "html" in ctype else ""
        ra = (rule.get("headers") or {}).get("retry-after")
        extra += f" Retry-After {ra}" if ra else ""
        if "www-authenticate" in (rule.get("headers") or {}):
            extra += " invalid_token"
        return f"{rule.get('status', 500)}{extra}"
    if action == "delay":
        return f"delay {rule.get('delayMs', 0)} ms"
    return action


def path_matches(glob: str | None, path: str | None) -> bool:
    """Whether a request-log assertion's path falls under the fault rule's glob (`*`: anything)."""
    if glob is None or path is None:
        return False
    regex = "^" + ".*".join(re.escape(part) for part in glob.split("*")) + "$"
    return re.match(regex, path) is not None and ("*" not in path or path == glob)


def fault_rule(doc: dict) -> dict | None:
    faults = (doc.get("setup") or {}).get("faults") or []
    if faults:
        return faults[0]
    for step in doc["steps"]:
        if step.get("emulator", "").upper().startswith("POST /_EMULATOR/FAULTS"):
            return step.get("body")
    return None


def analyse(doc: dict) -> dict:
    """What one fault cell expects: outcome, sends, token requests, timeouts."""
    steps = doc["steps"]
    call_index = next(i for i, s in enumerate(steps) if "call" in s)
    call = steps[call_index]
    rule = fault_rule(doc) or {}
    method, path = rule.get("method"), rule.get("path")
    sends = None
    statuses = {}
    key_sends = None
    tokens = None
    for s in steps[call_index + 1:]:
        r = s.get("requests")
        if not r:
            continue
        if r.get("method") == method and path_matches(path, r.get("path")):
            if "header" in r:
                key_sends = r["count"]
            elif "status" in r:
                statuses[r["status"]] = r["count"]
            elif sends is None:
                sends = r["count"]
        if r.get("path") == "/oauth2/token":
            tokens = r["count"]
    error = call.get("expectError")
    options = call.get("options") or {}
    return {
        "ok": error is None,
        "kind": None if error is None else error.get("kind"),
        "status": None if error is None else error.get("status"),
        "sends": sends,
        "statuses": statuses,
        "keySends": key_sends,
        "tokens": tokens,
        "idempotencyKey": options.get("idempotencyKey"),
        "timeoutMs": options.get("timeoutMs") or ((doc.get("setup") or {}).get("client") or {}).get("timeoutMs"),
        "fault": describe_fault(rule),
        "method": method,
    }


def load(prefix: str) -> "OrderedDict[str, dict]":
    docs = OrderedDict()
    for path in sorted(SCENARIOS.glob(f"{prefix}*.json")):
        docs[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return docs


def cell_text(c: dict) -> str:
    sends = c["sends"] if c["sends"] is not None else "?"
    if c["ok"]:
        return f"ok ({sends})"
    status = f" {c['status']}" if c["status"] else ""
    return f"{c['kind']}{status} ({sends})"


# --- runner results --------------------------------------------------------------------------

FAIL_RE = re.compile(r"FAILED|\bnot ok\b|✖|✗|\bFAIL\b|\bfailed\b|\bERROR\b", re.I)
PASS_RE = re.compile(r"\.\.\. ok\b|^\s*ok \d+|\bPASSED\b|✔|✓|\bPASS\b|\bpassed\b|\bok\b", re.I)


def parse_results(path: Path, names: list[str]) -> dict[str, dict[str, str]]:
    """{variant: {scenario: verdict}}; the variant is "" or, for test ids like pytest's
    `fault-500-get-sync`, the mode suffix (`sync`, `async`, `native`, `wasm`)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("results"), dict):
            return {"": {k: str(v) for k, v in doc["results"].items()}}
    except ValueError:
        pass
    # Longest names first, so `fault-503-create-idempotent` is not read as `fault-503-create`.
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")(?:-(sync|async|native|wasm))?(?![\w-])")
    out: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        found = set(pattern.findall(line))
        if not found:
            continue
        verdict = "failed" if FAIL_RE.search(line) else "passed" if PASS_RE.search(line) else None
        if verdict is None:
            continue
        for name, variant in found:
            seen = out.setdefault(variant, {})
            if seen.get(name) != "failed":
                seen[name] = verdict
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", action="append", default=[], metavar="[ENGINE=]FILE")
    parser.add_argument("--require-all", action="store_true", help="a cell not run counts as a failure")
    args = parser.parse_args()

    faults = load("fault-")
    cells = {}
    for name, doc in faults.items():
        parts = split_name(name)
        if parts is None:
            print(f"warning: {name}.json does not follow fault-<fault>-<operation>", file=sys.stderr)
            continue
        cells[parts] = {"name": name, **analyse(doc)}
    fault_ids = [f for f in FAULT_ORDER if any(k[0] == f for k in cells)]
    fault_ids += sorted({k[0] for k in cells} - set(fault_ids))
    ops = [o for o in OP_ORDER if any(k[1] == o for k in cells)]

    base_ops = [o for o in ops if o != "create-idempotent"]
    n_base = sum(1 for k in cells if k[1] != "create-idempotent")
    n_key = len(cells) - n_base
    print(f"Fault matrix: {len([f for f in fault_ids if any((f, o) in cells for o in base_ops)])} faults x "
          f"{len(base_ops)} operations = {n_base} cells, + {n_key} create-with-idempotency-key cells "
          f"= {len(cells)} scenarios (tests/scenarios/fault-*.json)")
    print("Each cell: the outcome of the faulted call, and in parentheses how many times the operation reached")
    print("the emulator (request log). 'ok (2)' = success after one retry or token renewal; 'kind (1)' = typed")
    print("error, not retried. Every cell also checks state, a later call on the same client, token requests")
    print("and 401s.\n")
    first_w = max(len("fault"), *(len(f) for f in fault_ids)) + 2
    fault_w = max(len("injected"), *(len(c["fault"]) for c in cells.values())) + 2
    col_w = {o: max(len(OP_HEADER[o] + f" {OP_HTTP[o]}"), *(len(cell_text(c)) for k, c in cells.items() if k[1] == o)) + 2
             for o in ops}
    header = "fault".ljust(first_w) + "injected".ljust(fault_w) + "".join(
        f"{OP_HEADER[o]} {OP_HTTP[o]}".ljust(col_w[o]) for o in ops)
    print(header)
    print("-" * len(header))
    for f in fault_ids:
        row = [c for (ff, _), c in cells.items() if ff == f]
        desc = row[0]["fault"] if row else ""
        line = f.ljust(first_w) + desc.ljust(fault_w)
        for o in ops:
            c = cells.get((f, o))
            line += (cell_text(c) if c else "-").ljust(col_w[o])
        print(line.rstrip())

    # Counts.
    outcomes: Counter = Counter()
    kinds = Counter()
    for (f, o), c in cells.items():
        if c["ok"]:
            if (c["sends"] or 0) >= 2:
                outcomes["ok after retry" if f != "expired-token" else "ok after token renewal"] += 1
            else:
                outcomes["ok at once (no-content answer, body ignored)"] += 1
        else:
            outcomes["typed error"] += 1
            kinds[c["kind"]] += 1
    print("\nCounts")
    print(f"  cells: {len(cells)}")
    for label, n in sorted(outcomes.items(), key=lambda kv: -kv[1]):
        print(f"  {label}: {n}")
    print("  typed errors by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    retried = sum(1 for c in cells.values() if (c["sends"] or 0) >= 2)
    print(f"  operations sent twice: {retried}; sent once: {sum(1 for c in cells.values() if c['sends'] == 1)}")
    creates = [(k, c) for k, c in cells.items() if k[1] == "create"]
    once = [k for k, c in creates if c["sends"] == 1]
    twice = [k for k, c in creates if (c["sends"] or 0) >= 2]
    print(f"  create (POST) without a key: {len(creates)} cells, sent once in {len(once)}"
          + (f", twice in {len(twice)} ({', '.join(f for f, _ in twice)}: the first send was refused with 401 "
             f"before it was processed; exactly one application results)" if twice else ""))
    keyed = [(k, c) for k, c in cells.items() if k[1] == "create-idempotent"]
    if keyed:
        same_key = sum(1 for _, c in keyed if c["keySends"] == c["sends"] == 2)
        print(f"  create with an Idempotency-Key: {len(keyed)} cells, retried with the same key in {same_key}, "
              f"exactly one application in each")
    patches = [c for k, c in cells.items() if k[1] == "update"]
    print(f"  update (PATCH): {len(patches)} cells, never retried (sent once in "
          f"{sum(1 for c in patches if c['sends'] == 1)}; resent only after a 401 in "
          f"{sum(1 for c in patches if (c['sends'] or 0) >= 2)})")
    tokens = Counter(c["tokens"] for c in cells.values())
    print("  token requests per cell: " + ", ".join(f"{n} cells -> {t}" for t, n in sorted(tokens.items(), key=str)))

    # Concurrency.
    conc = load("concurrency-")
    if conc:
        print("\nConcurrency (tests/scenarios/concurrency-*.json)")
        for name, doc in conc.items():
            bursts = [s.get("repeat") for s in doc["steps"] if s.get("repeat")]
            tok = [s["requests"]["count"] for s in doc["steps"]
                   if s.get("requests", {}).get("path") == "/oauth2/token"]
            no401 = any(s.get("requests", {}).get("status") == 401 and s["requests"].get("count") == 0
                        for s in doc["steps"])
            print(f"  {name}: bursts {bursts}, token requests expected {tok[-1] if tok else '?'}"
                  + (", no 401" if no401 else ""))

    # Results.
    names = [c["name"] for c in cells.values()] + list(conc)
    failed_any = False
    if args.results:
        print("\nResults")
        for spec in args.results:
            engine, _, file = spec.rpartition("=")
            path = Path(file)
            engine = engine or path.stem
            if not path.exists():
                print(f"  {engine}: {path} not found")
                failed_any = True
                continue
            variants = parse_results(path, names) or {"": {}}
            for variant, got in sorted(variants.items()):
                label = f"{engine}-{variant}" if variant else engine
                matrix = [got.get(c["name"], "not run") for c in cells.values()]
                conc_res = [got.get(n, "not run") for n in conc]
                mc, cc = Counter(matrix), Counter(conc_res)
                print(f"  {label}: matrix {mc['passed']} passed, {mc['failed']} failed, {mc['not run']} not run"
                      + (f", {mc['skipped']} skipped" if mc["skipped"] else "")
                      + f" of {len(matrix)}; concurrency {cc['passed']} passed, {cc['failed']} failed, "
                      f"{cc['not run']} not run of {len(conc_res)}")
                for n in names:
                    if got.get(n) == "failed":
                        print(f"    FAILED {n}")
                if mc["failed"] or cc["failed"] or (args.require_all and (mc["not run"] or cc["not run"])):
                    failed_any = True
    else:
        print("\nEvery cell is a scenario file: each engine's runner executes it (Rust: "
              "`cargo test -p kontext-management-scenarios --test scenarios -- fault-`). Pass runner outputs with "
              "--results to count passes per engine.")
    return 1 if failed_any else 0


if __name__ == "__main__":
    sys.exit(main())

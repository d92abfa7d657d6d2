"""Runs one shared scenario (tests/scenarios/*.json, format in SCHEMA.md) through the Python
package, with the blocking client or the asyncio one.

Only names are translated: `applications.listAll` → `client.applications.list_all(...)`,
`client.refreshToken` → `client.refresh_token()`, `oauth.exchangeCode` →
`kontext_management.oauth.exchange_code(...)` (or `kontext_management.async_oauth`). Positional string arguments stay
positional; an object argument becomes keyword arguments (its top-level keys in snake_case, nested
values as written, since the package accepts camelCase dicts). Results are compared in their wire
form (`to_dict()`), errors in the SCHEMA.md error-details shape built from the exception's
attributes. There is no per-scenario code here.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import keyword
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple

import kontext_management
from matching import ABSENT, Vars, check, entry_matches, get_path, render_log, short

#: (succeeded, result-or-error-details)
Outcome = Tuple[bool, Any]

_CLIENT_KEYS = {
    "baseUrl": "base_url",
    "accessToken": "access_token",
    "apiVersion": "api_version",
    "tokenUrl": "token_url",
    "scopes": "scopes",
    "audience": "audience",
    "maxRetries": "max_retries",
    "headers": "default_headers",
    "allowInsecureHttp": "allow_insecure_http",
    "maxResponseBytes": "max_response_bytes",
}
_REQUEST_KEYS = {"maxRetries": "max_retries", "idempotencyKey": "idempotency_key", "headers": "extra_headers"}


class ScenarioFailure(AssertionError):
    pass


def snake(name: str) -> str:
    """`includeInactive` → `include_inactive`, `getOAuth` → `get_oauth`; Python keywords get a
    trailing `_` (`from_`)."""
    out = re.sub(r"(?<!^)(?=[A-Z])", "_", name.replace("OAuth", "Oauth")).lower()
    return out + "_" if keyword.iskeyword(out) else out


def client_kwargs(options: Dict[str, Any]) -> Dict[str, Any]:
    """Scenario client options (camelCase, as the core's ClientOptions) → constructor kwargs."""
    kwargs: Dict[str, Any] = {}
    for key, value in options.items():
        if key == "credentials":
            kwargs["client_id"] = value.get("clientId")
            kwargs["client_secret"] = value.get("clientSecret")
        elif key == "timeoutMs":
            kwargs["timeout"] = value / 1000
        elif key in _CLIENT_KEYS:
            kwargs[_CLIENT_KEYS[key]] = value
        else:
            raise ScenarioFailure(f"unknown client option `{key}`")
    return kwargs


def request_kwargs(options: Dict[str, Any]) -> Dict[str, Any]:
    kwargs: Dict[str, Any] = {}
    for key, value in options.items():
        if key == "timeoutMs":
            kwargs["timeout"] = value / 1000
        elif key in _REQUEST_KEYS:
            kwargs[_REQUEST_KEYS[key]] = value
        else:
            raise ScenarioFailure(f"unknown request option `{key}`")
    return kwargs


def merge_client_options(base: Dict[str, Any], over: Dict[str, Any]) -> Dict[str, Any]:
    """`over` merged over `base`; `credentials` and `accessToken` replace each other."""
    out = dict(base)
    if "accessToken" in over and "credentials" not in over:
        out.pop("credentials", None)
    if "credentials" in over and "accessToken" not in over:
        out.pop("accessToken", None)
    out.update(over)
    return out


def error_details(e: kontext_management.KontextError) -> Dict[str, Any]:
    """The SCHEMA.md error shape, from the exception's public attributes only."""
    details = {
        "kind": e.kind,
        "code": e.code,
        "message": e.message,
        "status": e.status_code,
        "requestId": e.request_id,
        "retryAfter": getattr(e, "retry_after", None),
        "missingScopes": getattr(e, "missing_scopes", None) or None,
        "hint": getattr(e, "hint", None),
        "diagnostics": getattr(e, "diagnostics", None),
        "outcomeUnknown": e.outcome_unknown,
        "argument": getattr(e, "argument", None),
        "oauthError": getattr(e, "oauth_error", None),
        "oauthErrorDescription": getattr(e, "oauth_error_description", None),
        "body": getattr(e, "body", None),
        "docsUrl": e.docs_url,
    }
    return {k: v for k, v in details.items() if v is not None}


def bind(fn: Callable[..., Any], args: List[Any]) -> Tuple[List[Any], Dict[str, Any]]:
    """Positional JSON arguments → a Python call: strings stay positional, an object spreads into
    keyword arguments. What JSON leaves out but Python requires is passed as None, so the SDK
    (not Python's TypeError) judges the missing argument, as in every other engine."""
    positional = [a for a in args if not isinstance(a, dict)]
    kwargs: Dict[str, Any] = {}
    for a in args:
        if isinstance(a, dict):
            kwargs.update({snake(k): v for k, v in a.items()})
    params = list(inspect.signature(fn).parameters.values())
    slots = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    while len(positional) < len(slots) and slots[len(positional)].default is inspect.Parameter.empty:
        positional.append(None)
    for p in params:
        if p.kind == p.KEYWORD_ONLY and p.default is inspect.Parameter.empty and p.name not in kwargs:
            kwargs[p.name] = None
    return positional, kwargs


class Emulator:
    """Plain-HTTP access to the emulator's control API (and any other path)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def send(self, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers={"content-type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        text = raw.decode("utf-8", "replace")
        if not text.strip():
            return status, None
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def expect_ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.send(method, path, body)
        if not 200 <= status < 300:
            raise ScenarioFailure(f"{method} {path} answered {status}: {short(answer)}")
        return answer

    def reset(self) -> None:
        self.expect_ok("POST", "/_emulator/reset", {})

    def requests(self) -> List[Dict[str, Any]]:
        return list(self.expect_ok("GET", "/_emulator/requests")["items"])

    def clear_requests(self) -> None:
        self.expect_ok("DELETE", "/_emulator/requests")


def control(target: Dict[str, str], method: str, path: str, body: Any = None) -> Any:
    """A control-API call (`/_emulator/...`) on the emulator `target` names; fails unless 2xx."""
    return Emulator(target["baseUrl"]).expect_ok(method, path, body)


class SyncEngine:
    """Runs calls with `kontext_management.ManagementClient`; `repeat` runs on that many threads."""

    name = "sync"

    def client(self, kwargs: Dict[str, Any]) -> Any:
        return kontext_management.ManagementClient(**kwargs)

    def close(self) -> None:
        pass

    def run(self, client: Any, method: str, args: List[Any], options: Dict[str, Any], repeat: int) -> List[Outcome]:
        if repeat <= 1:
            return [self._once(client, method, args, options)]
        with ThreadPoolExecutor(max_workers=repeat) as pool:
            return list(pool.map(lambda _: self._once(client, method, args, options), range(repeat)))

    def _once(self, client: Any, method: str, args: List[Any], options: Dict[str, Any]) -> Outcome:
        fn = resolve(client, method, kontext_management.oauth, options)
        positional, kwargs = bind(fn, args)
        try:
            result = fn(*positional, **kwargs)
            if isinstance(result, kontext_management.SyncPager):
                return True, [item.to_dict() for item in result]
            return True, wire(result)
        except kontext_management.KontextError as e:
            return False, error_details(e)


class AsyncEngine:
    """Runs calls with `kontext_management.AsyncManagementClient` on one event loop per scenario;
    `repeat` runs as concurrent tasks (`asyncio.gather`)."""

    name = "async"

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def client(self, kwargs: Dict[str, Any]) -> Any:
        return kontext_management.AsyncManagementClient(**kwargs)

    def close(self) -> None:
        self.loop.close()

    def run(self, client: Any, method: str, args: List[Any], options: Dict[str, Any], repeat: int) -> List[Outcome]:
        async def all_runs() -> List[Outcome]:
            return list(await asyncio.gather(*(self._once(client, method, args, options) for _ in range(repeat))))

        return self.loop.run_until_complete(all_runs())

    async def _once(self, client: Any, method: str, args: List[Any], options: Dict[str, Any]) -> Outcome:
        fn = resolve(client, method, kontext_management.async_oauth, options)
        positional, kwargs = bind(fn, args)
        try:
            result = fn(*positional, **kwargs)
            if isinstance(result, kontext_management.AsyncPager):
                return True, [item.to_dict() async for item in result]
            return True, wire(await result)
        except kontext_management.KontextError as e:
            return False, error_details(e)


def resolve(client: Any, method: str, oauth_module: Any, options: Dict[str, Any]) -> Callable[..., Any]:
    resource, _, name = method.partition(".")
    if resource == "oauth":
        return getattr(oauth_module, snake(name))  # type: ignore[no-any-return]
    if options:
        client = client.with_options(**request_kwargs(options))
    target = client if resource == "client" else getattr(client, snake(resource))
    return getattr(target, snake(name))  # type: ignore[no-any-return]


def wire(result: Any) -> Any:
    return result.to_dict() if hasattr(result, "to_dict") else result


class ScenarioRun:
    """One run of one scenario against a freshly reset emulator."""

    def __init__(self, scenario: Dict[str, Any], target: Dict[str, Any], engine: Any) -> None:
        self.scenario = scenario
        self.engine = engine
        # A real organization (KONTEXT_LIVE_*): nothing is reset and there is no request log.
        self.live = bool(target.get("live"))
        self.emulator = Emulator(target["baseUrl"])
        self.vars = Vars()
        self.vars.set("baseUrl", target["baseUrl"].rstrip("/"))
        self.vars.set("clientId", target["clientId"])
        self.vars.set("clientSecret", target["clientSecret"])
        self.client_options: Dict[str, Any] = {
            "baseUrl": target["baseUrl"],
            "credentials": {"clientId": target["clientId"], "clientSecret": target["clientSecret"]},
        }
        self.client: Any = None
        self.trail: List[str] = []

    def run(self) -> None:
        try:
            self.setup()
            for n, step in enumerate(self.scenario["steps"], start=1):
                started = time.monotonic()
                summary = self.step(n, step)
                self.trail.append(f"{n}. {label(step)} — {summary} ({(time.monotonic() - started) * 1000:.0f} ms)")
        finally:
            self.engine.close()

    def fail(self, n: Optional[int], at: Any, message: str, **parts: Any) -> ScenarioFailure:
        where = f"step {n} ({label(at)})" if n is not None else "setup"
        lines = [f"scenario `{self.scenario['name']}` [{self.engine.name}] failed at {where}: {message}"]
        for key in ("step", "expected", "actual", "error"):
            if parts.get(key, ABSENT) is not ABSENT:
                lines.append(f"  {key + ':':<10}{short(parts[key], 4000)}")
        for m in parts.get("mismatches") or []:
            lines.append(f"    - {m}")
        if self.trail:
            lines.append("  steps run before:")
            lines.extend(f"    {line}" for line in self.trail)
        return ScenarioFailure("\n".join(lines))

    def setup(self) -> None:
        setup = self.scenario.get("setup") or {}
        if self.live:
            if not self.scenario.get("readOnly"):
                raise self.fail(None, None, "only readOnly scenarios run against a live organization")
        else:
            self.emulator.reset()
        if "emulator" in setup:
            self.emulator.expect_ok("POST", "/_emulator/config", setup["emulator"])
        if "seed" in setup:
            self.vars.set("seed", self.emulator.expect_ok("POST", "/_emulator/seed", setup["seed"]))
        for fault in setup.get("faults") or []:
            self.emulator.expect_ok("POST", "/_emulator/faults", self.vars.substitute(fault))
        if "client" in setup:
            self.client_options = merge_client_options(self.client_options, self.vars.substitute(setup["client"]))
        try:
            self.client = self.engine.client(client_kwargs(self.client_options))
        except kontext_management.KontextError as e:
            raise self.fail(None, None, "the client could not be built", error=error_details(e)) from None
        if not self.live:
            self.emulator.clear_requests()

    def step(self, n: int, step: Dict[str, Any]) -> str:
        if "call" in step:
            args = self.vars.substitute(step.get("args") or [])
            options = self.vars.substitute(step.get("options") or {})
            outcomes = self.engine.run(self.client, step["call"], args, options, step.get("repeat", 1))
            shown = {"call": step["call"], "args": args, **({"options": options} if options else {})}
            return self.check_outcomes(n, step, shown, outcomes)
        if "emulator" in step:
            if self.live:
                raise self.fail(n, step, "emulator steps cannot run against a live organization")
            method, _, path = step["emulator"].partition(" ")
            path = self.vars.substitute(path)
            body = self.vars.substitute(step["body"]) if "body" in step else None
            repeat = step.get("repeat", 1)
            with ThreadPoolExecutor(max_workers=repeat) as pool:
                answers = list(pool.map(lambda _: self.emulator.send(method.upper(), path, body), range(repeat)))
            outcomes: List[Outcome] = [
                (True, answer)
                if 200 <= status < 300
                else (False, {"status": status, "message": message_of(answer), "body": answer})
                for status, answer in answers
            ]
            return self.check_outcomes(n, step, {"emulator": f"{method} {path}", "body": body}, outcomes)
        if "client" in step:
            merged = merge_client_options(self.client_options, self.vars.substitute(step["client"]))
            try:
                client = self.engine.client(client_kwargs(merged))
            except kontext_management.KontextError as e:
                if "expectError" not in step:
                    raise self.fail(
                        n, step, "the client could not be built", step=merged, error=error_details(e)
                    ) from None
                self.match_error(n, step, merged, self.vars.substitute(step["expectError"]), error_details(e))
                return f"failed as expected: {e.kind}"
            if "expectError" in step:
                raise self.fail(n, step, "the client was built, but an error was expected", step=merged)
            self.client, self.client_options = client, merged
            return "built"
        if "sleepMs" in step:
            time.sleep(step["sleepMs"] / 1000)
            return "slept"
        if self.live and ("requests" in step or "clearRequests" in step):
            return "skipped (live)"
        if "requests" in step:
            assertion = self.vars.substitute(step["requests"])
            entries = self.emulator.requests()
            selected = [e for e in entries if entry_matches(assertion, e)]
            errors = check(assertion["count"], len(selected))
            if errors:
                count = json.dumps(assertion["count"])
                raise self.fail(
                    n,
                    step,
                    f"request count {len(selected)} does not match {count} ({'; '.join(errors)})\n"
                    f"matching entries:\n{render_log(selected)}\n"
                    f"whole log ({len(entries)} entries):\n{render_log(entries)}",
                    step=assertion,
                )
            return f"{len(entries)} log entries checked"
        if step.get("clearRequests") is True:
            self.emulator.clear_requests()
            return "cleared"
        raise self.fail(n, step, "unknown step kind")

    def match_error(self, n: int, step: Any, shown: Any, expected: Dict[str, Any], details: Dict[str, Any]) -> None:
        expected = dict(expected)
        mismatches: List[str] = []
        if isinstance(expected.get("message"), str):
            want = expected.pop("message")
            if want not in str(details.get("message", "")):
                mismatches.append(f"$.message: expected a message containing {want!r}, got {details.get('message')!r}")
        mismatches.extend(check(expected, details))
        if mismatches:
            raise self.fail(
                n,
                step,
                "the error does not match expectError",
                step=shown,
                expected=expected,
                error=details,
                mismatches=mismatches,
            )

    def check_outcomes(self, n: int, step: Dict[str, Any], shown: Any, outcomes: List[Outcome]) -> str:
        expect = self.vars.substitute(step["expect"]) if "expect" in step else ABSENT
        expect_error = self.vars.substitute(step["expectError"]) if "expectError" in step else ABSENT
        total = len(outcomes)
        for i, (ok, value) in enumerate(outcomes):
            which = f" (run {i + 1} of {total})" if total > 1 else ""
            if ok and expect_error is not ABSENT:
                raise self.fail(
                    n,
                    step,
                    f"succeeded, but an error was expected{which}",
                    step=shown,
                    expected=expect_error,
                    actual=value,
                )
            if not ok and expect_error is not ABSENT:
                self.match_error(n, step, shown, expect_error, value)
            elif not ok:
                raise self.fail(n, step, f"failed unexpectedly{which}", step=shown, expected=expect, error=value)
            elif expect is not ABSENT:
                mismatches = check(expect, value)
                if mismatches:
                    raise self.fail(
                        n,
                        step,
                        f"the result does not match expect{which}",
                        step=shown,
                        expected=expect,
                        actual=value,
                        mismatches=mismatches,
                    )
        ok, first = outcomes[0]
        if ok:
            for name, path in (step.get("save") or {}).items():
                found = get_path(first, path)
                if found is ABSENT:
                    raise self.fail(n, step, f"save `{name}`: path `{path}` not found in the result", actual=first)
                self.vars.set(name, found)
            return f"ok{f' ×{total}' if total > 1 else ''}: {short(first)}"
        return f"failed as expected: {first.get('kind', first.get('status'))}"


def message_of(answer: Any) -> Any:
    return answer.get("message") if isinstance(answer, dict) else None


def label(step: Any) -> str:
    if not isinstance(step, dict):
        return "setup"
    for key in ("call", "emulator"):
        if key in step:
            return f"{key} {step[key]}"
    if "sleepMs" in step:
        return f"sleepMs {step['sleepMs']}"
    return next(iter(step), "?")

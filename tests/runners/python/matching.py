"""The data side of the scenario format (tests/scenarios/SCHEMA.md): `${...}` variables, partial
matching with `$` matchers, and request-log filters. Mirrors tests/runners/rust/src/{vars,
matcher,requests}.rs so every engine judges a scenario the same way."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional

#: An absent key (as opposed to a JSON null).
ABSENT: Any = object()

_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_VALID_REFERENCE = re.compile(r"[A-Za-z0-9_.\-]+")


def short(value: Any, limit: int = 300) -> str:
    if value is ABSENT:
        return "<absent>"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


def get_path(root: Any, path: str) -> Any:
    """Follows a dotted path (`""` = the value itself); ABSENT when it leads nowhere."""
    if path == "":
        return root
    current = root
    for segment in path.split("."):
        if isinstance(current, dict):
            if segment not in current:
                return ABSENT
            current = current[segment]
        elif isinstance(current, list):
            if not segment.isdigit() or int(segment) >= len(current):
                return ABSENT
            current = current[int(segment)]
        else:
            return ABSENT
    return current


class Vars:
    """Variables of a running scenario and `${name.path}` substitution."""

    def __init__(self) -> None:
        self.values: Dict[str, Any] = {}

    def set(self, name: str, value: Any) -> None:
        self.values[name] = value

    def lookup(self, reference: str) -> Any:
        name, _, rest = reference.partition(".")
        if name not in self.values:
            raise ValueError(f"unknown variable `{name}` in `${{{reference}}}`")
        found = get_path(self.values[name], rest)
        if found is ABSENT:
            raise ValueError(f"`${{{reference}}}`: path `{rest}` not found in {short(self.values[name])}")
        return found

    def substitute(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._substitute_str(value)
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        return value

    def _substitute_str(self, text: str) -> Any:
        if "${" not in text:
            return text
        matches = list(_REFERENCE.finditer(text))
        if text.count("${") != len(matches):
            raise ValueError(f"unclosed `${{` in `{text}`")
        for m in matches:
            if not _VALID_REFERENCE.fullmatch(m.group(1)):
                raise ValueError(f"bad variable reference `{m.group(0)}` in `{text}`")
        if len(matches) == 1 and matches[0].span() == (0, len(text)):
            return self.lookup(matches[0].group(1))  # keeps the value's JSON type

        def text_of(m: "re.Match[str]") -> str:
            found = self.lookup(m.group(1))
            return found if isinstance(found, str) else json.dumps(found)

        return _REFERENCE.sub(text_of, text)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scalar_eq(expected: Any, actual: Any) -> bool:
    # JSON semantics: numbers by value, but `true` is not `1`.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if _is_number(expected) and _is_number(actual):
        return float(expected) == float(actual)
    return type(expected) is type(actual) and expected == actual


def is_matcher(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(k.startswith("$") for k in value)


def check(expected: Any, actual: Any) -> List[str]:
    """Every mismatch of `actual` (ABSENT = key missing) against `expected`, with its path."""
    errors: List[str] = []
    _match_at("$", expected, actual, errors)
    return errors


def matches(expected: Any, actual: Any) -> bool:
    return not check(expected, actual)


def _match_at(path: str, expected: Any, actual: Any, errors: List[str]) -> None:
    if is_matcher(expected):
        _match_ops(path, expected, actual, errors)
    elif expected is None:
        if actual is not ABSENT and actual is not None:
            errors.append(f"{path}: expected null or absent, got {short(actual)}")
    elif isinstance(expected, dict):
        if not isinstance(actual, dict):
            errors.append(f"{path}: expected an object, got {short(actual)}")
            return
        for key, want in expected.items():
            _match_at(f"{path}.{key}", want, actual.get(key, ABSENT), errors)
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            errors.append(f"{path}: expected an array, got {short(actual)}")
        elif len(expected) != len(actual):
            errors.append(
                f"{path}: expected an array of {len(expected)} elements, got {len(actual)} elements: {short(actual)}"
            )
        else:
            for i, (want, got) in enumerate(zip(expected, actual)):
                _match_at(f"{path}.{i}", want, got, errors)
    elif actual is ABSENT or not _scalar_eq(expected, actual):
        errors.append(f"{path}: expected {short(expected)}, got {short(actual)}")


def _match_ops(path: str, ops: Dict[str, Any], actual: Any, errors: List[str]) -> None:
    for op, arg in ops.items():

        def fail(message: str, op: str = op, arg: Any = arg) -> None:
            errors.append(f"{path}: {op} {short(arg)}: {message}")

        if op == "$exists":
            present = actual is not ABSENT and actual is not None
            if bool(arg) != present:
                fail(f"got {short(actual)}")
        elif op in ("$length", "$minLength"):
            if isinstance(actual, (list, str)):
                n = len(actual)
                if (op == "$length" and n != arg) or (op == "$minLength" and n < arg):
                    fail(f"length is {n}: {short(actual)}")
            else:
                fail(f"not an array or string: {short(actual)}")
        elif op in ("$gte", "$lte"):
            if not _is_number(actual):
                fail(f"not a number: {short(actual)}")
            elif (op == "$gte" and actual < arg) or (op == "$lte" and actual > arg):
                fail(f"got {short(actual)}")
        elif op == "$type":
            if actual is ABSENT or _json_type(actual) != arg:
                fail(f"got {short(actual)}")
        elif op == "$unique":
            if not isinstance(actual, list):
                fail(f"not an array: {short(actual)}")
                continue
            seen = set()
            for i, item in enumerate(actual):
                key = get_path(item, arg)
                if key is ABSENT:
                    fail(f"element {i} has no `{arg}`")
                    break
                text = json.dumps(key, sort_keys=True)
                if text in seen:
                    fail(f"element {i} repeats {short(key)}")
                    break
                seen.add(text)
        elif op == "$contains":
            if not isinstance(actual, list):
                fail(f"not an array: {short(actual)}")
            elif not any(matches(arg, item) for item in actual):
                fail(f"no element matches in {short(actual)}")
        elif op == "$not":
            if matches(arg, actual):
                fail(f"it matches: {short(actual)}")
        elif op == "$matches":
            if not isinstance(actual, str) or re.search(arg, actual) is None:
                fail(f"got {short(actual)}")
        else:
            fail("unknown matcher")


def glob_match(pattern: str, text: str) -> bool:
    """`*` matches any characters, including `/`."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, text, re.S) is not None


def entry_matches(assertion: Dict[str, Any], entry: Dict[str, Any]) -> bool:
    method: Optional[str] = assertion.get("method")
    if method is not None and str(entry.get("method", "")).upper() != method.upper():
        return False
    pattern: Optional[str] = assertion.get("path")
    if pattern is not None and not glob_match(pattern, str(entry.get("path", ""))):
        return False
    if "status" in assertion and entry.get("status") != assertion["status"]:
        return False
    header = assertion.get("header")
    if header is not None:
        lowered = {k.lower(): v for k, v in header.items()}
        if not matches(lowered, entry.get("headers", ABSENT)):
            return False
    return True


def render_log(entries: List[Dict[str, Any]]) -> str:
    lines = []
    for e in entries:
        query = e.get("query") or ""
        if query and not query.startswith("?"):
            query = "?" + query
        fault = f" [fault {e['fault']}]" if e.get("fault") else ""
        lines.append(f"  {e.get('method')} {e.get('path')}{query} → {e.get('status', '-')}{fault}")
    return "\n".join(lines) or "  (none)"

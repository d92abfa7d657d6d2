#!/usr/bin/env python3
"""One version for every artifact: the Cargo workspace's `[workspace.package] version`.

Everything else that states a version must agree with it: the workspace's path dependencies on
the published crates, every member crate (`version.workspace = true`), the Python distribution
(pyproject takes Cargo's version through maturin; `_version.py` repeats it), the npm package, its
per-platform packages, its lockfile, the emulator's npm packages and the `[testing]` pin of its
wheel, and CHANGELOG.md.

    python3 tests/release/version.py                 # check; exit 1 on any mismatch
    python3 tests/release/version.py --tag v0.2.0    # also: the tag names this version and
                                                     # CHANGELOG.md has its dated section
    python3 tests/release/version.py --set 0.2.0     # write 0.2.0 everywhere (and Cargo.lock),
                                                     # then check
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
from typing import Callable, List, Optional, Tuple

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")


def read(rel: str) -> str:
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def write(rel: str, text: str) -> None:
    with open(os.path.join(ROOT, rel), "w", encoding="utf-8", newline="") as f:
        f.write(text)


def toml_section(text: str, name: str) -> str:
    """The body of `[name]` (up to the next table header)."""
    m = re.search(r"(?ms)^\[" + re.escape(name) + r"\]\s*$(.*?)(?=^\[|\Z)", text)
    return m.group(1) if m else ""


def workspace_version() -> str:
    m = re.search(r'(?m)^version\s*=\s*"([^"]+)"', toml_section(read("Cargo.toml"), "workspace.package"))
    if not m:
        sys.exit("version.py: Cargo.toml has no [workspace.package] version: it is the one source")
    return m.group(1)


# Each place: (label, file, getter -> found version or None for "inherits", setter(text, new) -> text)
Place = Tuple[str, str, Callable[[str], Optional[str]], Callable[[str, str], str]]


def regex_place(label: str, rel: str, pattern: str) -> Place:
    """A version captured by group 2 of `pattern` (groups 1 and 3 are kept as they are)."""
    rx = re.compile(pattern, re.M)

    def get(text: str) -> Optional[str]:
        found = {m.group(2) for m in rx.finditer(text)}
        if not found:
            return "(missing)"
        return found.pop() if len(found) == 1 else "(differs: " + ", ".join(sorted(found)) + ")"

    def put(text: str, new: str) -> str:
        return rx.sub(lambda m: m.group(1) + new + m.group(3), text)

    return (label, rel, get, put)


def json_place(label: str, rel: str) -> Place:
    """package.json: its "version" and the versions of its own per-platform optional packages."""

    def get(text: str) -> Optional[str]:
        data = json.loads(text)
        found = {data.get("version", "(missing)")}
        name = data.get("name", "")
        for dep, spec in data.get("optionalDependencies", {}).items():
            if dep.startswith(name + "-"):
                found.add(spec)
        return found.pop() if len(found) == 1 else "(differs: " + ", ".join(sorted(found)) + ")"

    def put(text: str, new: str) -> str:
        name = json.loads(text).get("name", "")
        text = re.sub(r'(?m)^(  "version": ")[^"]+(")', lambda m: m.group(1) + new + m.group(2), text, count=1)
        return re.sub(r'(?m)^(    "' + re.escape(name) + r'-[^"]+": ")[^"]+(")',
                      lambda m: m.group(1) + new + m.group(2), text)

    return (label, rel, get, put)


def places() -> List[Place]:
    out: List[Place] = [
        regex_place("Cargo workspace version (the source)", "Cargo.toml",
                    r'(\A(?:.*\n)*?\[workspace\.package\]\n(?:(?!\[).*\n)*?version\s*=\s*")([^"]+)(")'),
        regex_place("Cargo workspace path dependencies", "Cargo.toml",
                    r'(^[\w-]+\s*=\s*\{[^}\n]*\bpath\s*=[^}\n]*\bversion\s*=\s*"=?)([^"]+)(")'),
    ]
    members = re.search(r"(?s)\bmembers\s*=\s*\[(.*?)\]", read("Cargo.toml"))
    for member in re.findall(r'"([^"]+)"', members.group(1) if members else ""):
        rel = f"{member}/Cargo.toml"
        body = toml_section(read(rel), "package")
        if re.search(r"(?m)^version\.workspace\s*=\s*true", body):
            continue  # inherits: nothing to check or write
        out.append(regex_place(f"crate {member}", rel,
                               r'(\A(?:.*\n)*?\[package\]\n(?:(?!\[).*\n)*?version\s*=\s*")([^"]+)(")'))
    pyproject = "packages/python/pyproject.toml"
    if not re.search(r'(?m)^dynamic\s*=\s*\[[^\]]*"version"', read(pyproject)):
        out.append(regex_place("pyproject version", pyproject, r'(^version\s*=\s*")([^"]+)(")'))
    for rel in sorted(glob.glob("packages/python/python/*/_version.py", root_dir=ROOT)):
        out.append(regex_place("Python __version__", rel, r'(^__version__\s*=\s*")([^"]+)(")'))
    out.append(json_place("npm package (+ its optionalDependencies)", "packages/npm/package.json"))
    for rel in sorted(glob.glob("packages/npm/npm/*/package.json", root_dir=ROOT)):
        out.append(json_place(f"npm {rel.split('/')[3]}", rel))
    # The emulator for users' tests (issue 25): the wheel the `[testing]` extra pins, and the npm
    # launcher with its per-platform packages.
    out.append(regex_place("Python [testing] extra's emulator pin", pyproject,
                           r'("kontext-management-emulator==)([^"]+)(")'))
    out.append(json_place("npm emulator launcher (+ its optionalDependencies)", "packages/emulator-npm/package.json"))
    for rel in sorted(glob.glob("packages/emulator-npm/npm/*/package.json", root_dir=ROOT)):
        out.append(json_place(f"npm emulator {rel.split('/')[3]}", rel))
    lock = "packages/npm/package-lock.json"
    if os.path.exists(os.path.join(ROOT, lock)):
        # The lockfile's root entries: "version" at two spaces (top) and at six (packages[""]).
        out.append(regex_place("npm package-lock.json (root)", lock,
                               r'(\A\{\n  "name": "[^"]+",\n  "version": ")([^"]+)(")'))
        out.append(regex_place("npm package-lock.json (packages[\"\"])", lock,
                               r'(  "packages": \{\n    "": \{\n      "name": "[^"]+",\n      "version": ")([^"]+)(")'))
    # (The hand-written addon loader, packages/npm/native/loader.cjs, names no version: the
    # per-platform package versions above are what pins the addon to the package.)
    return out


def changelog_versions() -> List[str]:
    return re.findall(r"(?m)^## \[([^\]]+)\]", read("CHANGELOG.md"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", metavar="X.Y.Z", help="write this version everywhere first")
    ap.add_argument("--tag", metavar="vX.Y.Z", help="a release tag: must name the version, with a dated CHANGELOG entry")
    args = ap.parse_args()

    if args.set:
        if not SEMVER.match(args.set):
            sys.exit(f"version.py: {args.set!r} is not a semantic version")
        for label, rel, _, put in places():
            text = read(rel)
            new = put(text, args.set)
            if new != text:
                write(rel, new)
                print(f"set {args.set} in {rel} ({label})")
        # Cargo.lock records the workspace members' versions; cargo rewrites them (no other change).
        subprocess.run(["cargo", "update", "--workspace", "--offline", "--quiet"], cwd=ROOT, check=False)

    version = workspace_version()
    failures = []
    if not SEMVER.match(version):
        failures.append(f"the workspace version {version!r} is not a semantic version")
    for label, rel, get, _ in places():
        found = get(read(rel))
        mark = "ok" if found == version else "MISMATCH"
        print(f"{mark:8} {found:12} {rel}  ({label})")
        if found != version:
            failures.append(f"{rel} ({label}) says {found}, the workspace says {version}")

    entries = changelog_versions()
    if "Unreleased" not in entries and version not in entries:
        failures.append(f"CHANGELOG.md has neither an [Unreleased] nor a [{version}] section")
    if args.tag:
        if args.tag != f"v{version}":
            failures.append(f"the tag {args.tag} does not name the version v{version}")
        if not re.search(r"(?m)^## \[" + re.escape(version) + r"\] - \d{4}-\d{2}-\d{2}\s*$", read("CHANGELOG.md")):
            failures.append(f"CHANGELOG.md has no dated section '## [{version}] - YYYY-MM-DD' for the release")

    if failures:
        print("\nversion.py: " + "\n            ".join(failures), file=sys.stderr)
        return 1
    print(f"version {version}: every artifact agrees")
    return 0


if __name__ == "__main__":
    sys.exit(main())

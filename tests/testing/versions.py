#!/usr/bin/env python3
"""The emulator's packages follow the SDK: the workspace version everywhere (the npm launcher, its
optional per-platform packages, the pin of `kontext-management[testing]`), and one emulator
package per platform the SDK's npm package has.

    python3 tests/testing/versions.py           # check; exit 1 naming each mismatch
    python3 tests/testing/versions.py --print   # print the workspace version
"""

from __future__ import annotations

import json
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def read(rel: str) -> str:
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def main() -> int:
    section = re.search(r"(?ms)^\[workspace\.package\]\s*$(.*?)(?=^\[|\Z)", read("Cargo.toml"))
    found = re.search(r'(?m)^version\s*=\s*"([^"]+)"', section.group(1) if section else "")
    if not found:
        print("versions: Cargo.toml has no [workspace.package] version", file=sys.stderr)
        return 1
    version = found.group(1)
    if sys.argv[1:] == ["--print"]:
        print(version)
        return 0
    problems = []
    pins = re.findall(r'"kontext-management-emulator==([^"]+)"', read("packages/python/pyproject.toml"))
    if pins != [version]:
        problems.append(f"packages/python/pyproject.toml: the [testing] extra pins {pins}, not =={version}")
    launcher = json.loads(read("packages/emulator-npm/package.json"))
    if launcher["version"] != version:
        problems.append(f"packages/emulator-npm/package.json: version {launcher['version']}")
    platforms = sorted(os.listdir(os.path.join(ROOT, "packages/emulator-npm/npm")))
    wanted = {f"kontext-management-emulator-{p}": version for p in platforms}
    if launcher.get("optionalDependencies") != wanted:
        problems.append(f"packages/emulator-npm/package.json: optionalDependencies are not {wanted}")
    for p in platforms:
        pkg = json.loads(read(f"packages/emulator-npm/npm/{p}/package.json"))
        if (pkg["name"], pkg["version"]) != (f"kontext-management-emulator-{p}", version):
            problems.append(f"packages/emulator-npm/npm/{p}/package.json: {pkg['name']}@{pkg['version']}")
    sdk_platforms = sorted(os.listdir(os.path.join(ROOT, "packages/npm/npm")))
    if platforms != sdk_platforms:
        problems.append(f"emulator platforms {platforms} differ from the SDK's npm platforms {sdk_platforms}")
    if problems:
        print("versions: " + "\n          ".join(problems), file=sys.stderr)
        return 1
    print(f"versions: the emulator packages are at {version} on {len(platforms)} platforms, as the SDK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

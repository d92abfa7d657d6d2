#!/usr/bin/env python3
"""What each artifact must and must not contain, checked on its file list before anything ships.

    contents.py crate NAME FILES   # FILES: output of `cargo package --list -p NAME`
    contents.py npm NAME JSON      # JSON: output of `npm pack --dry-run --json`
    contents.py sdist NAME FILES   # FILES: `tar tzf` of the sdist
    contents.py pkg-info NAME FILE # FILE: the sdist's PKG-INFO (run with the CPython CI tests)

Every artifact carries both license texts. None carries a private key, a certificate, the test
fixtures or a build directory (the TLS test key in core/tests/fixtures/tls is the reason: secret
scanners flag it, and it has no use outside the repository).
"""

from __future__ import annotations

import fnmatch
import json
import sys
from typing import List

FORBIDDEN = ["*.key", "*.pem", "*/fixtures/*", "fixtures/*", "target/*", "*/target/*", "node_modules/*",
             "*/node_modules/*", "*.cdx.json", ".env", "*/.env"]
LICENSES = ["LICENSE-MIT", "LICENSE-APACHE"]

REQUIRED = {
    "crate": ["Cargo.toml", "src/lib.rs", *LICENSES],
    "npm": ["package.json", "README.md", *LICENSES, "index.d.ts", "index.node.cjs", "index.node.mjs", "wasm.mjs",
            "native/loader.cjs", "wasm-init.mjs", "wasm-surface.mjs", "wasm/*.wasm", "wasm/*.js"],
    # The sdist builds the wheel: the Python package, the binding crate and the core it needs.
    "sdist": ["PKG-INFO", "pyproject.toml", "Cargo.lock", *LICENSES, "python/*/__init__.py", "python/*/py.typed",
              "bindings/python/Cargo.toml", "core/Cargo.toml", "core/src/lib.rs", "core/derive/src/lib.rs"],
}
# A crate ships its library only: tests and examples stay in the repository.
# The npm main package carries no addon: each platform's is in its own package (optionalDependencies).
FORBIDDEN_IN = {"crate": ["tests/*", "fuzz/*", "examples/*"], "npm": ["tests/*", "*.node"], "sdist": ["*/tests/*"]}


def files_of(kind: str, path: str) -> List[str]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if kind == "npm":
        return [entry["path"] for entry in json.loads(text)[0]["files"]]
    names = [line.strip() for line in text.splitlines() if line.strip() and not line.endswith("/")]
    if kind == "sdist":  # drop the top folder `name-version/`
        names = [n.split("/", 1)[1] for n in names if "/" in n]
    return names


def pkg_info(name: str, path: str) -> int:
    """The Python metadata says what is tested: Requires-Python admits the interpreter this check
    runs on (the one CI tests with), a classifier names its version, and the license is the SPDX
    expression with both texts attached (PEP 639)."""
    with open(path, encoding="utf-8") as f:
        headers = [line.split(": ", 1) for line in f.read().split("\n\n", 1)[0].splitlines() if ": " in line]
    values = lambda key: [v for k, v in headers if k == key]  # noqa: E731
    tested = f"{sys.version_info.major}.{sys.version_info.minor}"
    problems = []
    requires = values("Requires-Python")
    floor = requires[0].removeprefix(">=") if requires else ""
    if not requires or not floor.replace(".", "").isdigit() or tuple(map(int, floor.split("."))) > sys.version_info[:2]:
        problems.append(f"Requires-Python {requires} must be '>=X.Y' and admit the tested CPython {tested}")
    elif floor != tested:
        problems.append(f"Requires-Python {requires[0]} admits CPython versions below {tested}, which nothing tests")
    if f"Programming Language :: Python :: {tested}" not in values("Classifier"):
        problems.append(f"no classifier 'Programming Language :: Python :: {tested}' for the tested CPython")
    if values("License-Expression") != ["MIT OR Apache-2.0"]:
        problems.append(f"License-Expression {values('License-Expression')} is not 'MIT OR Apache-2.0'")
    if sorted(values("License-File")) != sorted(LICENSES):
        problems.append(f"License-File {values('License-File')} is not {LICENSES}")
    if problems:
        print(f"contents: pkg-info {name}: " + "\n          ".join(problems), file=sys.stderr)
        return 1
    print(f"contents: pkg-info {name}: Requires-Python {requires[0]}, classifier {tested}, licenses attached")
    return 0


def main() -> int:
    kind, name, path = sys.argv[1:4]
    if kind == "pkg-info":
        return pkg_info(name, path)
    files = files_of(kind, path)
    problems = []
    for pattern in REQUIRED[kind]:
        if not any(fnmatch.fnmatch(f, pattern) for f in files):
            problems.append(f"missing {pattern}")
    for f in files:
        for pattern in FORBIDDEN + FORBIDDEN_IN[kind]:
            if fnmatch.fnmatch(f, pattern):
                problems.append(f"must not ship {f} (matches {pattern})")
                break
    if problems:
        print(f"contents: {kind} {name}: " + "\n          ".join(problems), file=sys.stderr)
        return 1
    print(f"contents: {kind} {name}: {len(files)} files, licenses in, nothing forbidden")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""One CycloneDX 1.5 SBOM per published artifact, in --out (default target/release-check/sbom).

    kontext-management-<v>.crate.cdx.json            the core crate
    kontext-management-derive-<v>.crate.cdx.json     the derive crate
    kontext-management-emulator-<v>.crate.cdx.json   the emulator crate (and its binary)
    kontext_management-<v>.python.cdx.json           the wheels and the sdist (PyPI)
    kontext-management-<v>.npm.cdx.json              the npm package (native addon + WebAssembly)

cargo-cyclonedx (crates.io) describes every Rust crate, with its dependencies for all targets and
without dev- or build-only dependencies. The Python distribution and the npm package contain
compiled Rust and no third-party Python or JavaScript at run time (pyproject `dependencies = []`,
package.json without `dependencies`): their SBOM is the binding crates' SBOM under the package's
own identity (pkg:pypi/..., pkg:npm/...). If either ever gains run-time dependencies this script
stops with an error instead of writing an incomplete SBOM. Every SBOM is validated against the
CycloneDX 1.5 JSON schema (cyclonedx-python-lib) when that library is importable (--validate
makes it required).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any, Dict, List

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC = "1.5"

# artifact kind -> the workspace members whose cargo-cyclonedx SBOM describes it
CRATES = ["core", "core/derive", "tests/emulator"]
PYTHON_CRATES = ["bindings/python"]
NPM_CRATES = ["bindings/node", "bindings/wasm"]


def cargo_boms(members: List[str]) -> Dict[str, Dict[str, Any]]:
    """cargo-cyclonedx for the whole workspace (it writes one file per member, next to its
    Cargo.toml); the files are read and removed again."""
    name = "release-sbom-" + str(os.getpid())
    cmd = ["cargo", "cyclonedx", "--manifest-path", os.path.join(ROOT, "Cargo.toml"), "--format", "json",
           "--spec-version", SPEC, "--target", "all", "--no-build-deps", "--override-filename", name, "-q"]
    try:
        subprocess.run(cmd, check=True, cwd=ROOT)
    except FileNotFoundError:
        sys.exit("sbom.py: cargo not found")
    except subprocess.CalledProcessError:
        sys.exit("sbom.py: cargo cyclonedx failed (install it: cargo install --locked cargo-cyclonedx)")
    boms = {}
    for path in glob.glob(os.path.join(ROOT, "**", name + ".json"), recursive=True):
        member = os.path.relpath(os.path.dirname(path), ROOT)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        os.remove(path)
        # No build machine paths in what is published: bom-refs name local crates relative to the repo.
        text = text.replace("file://" + ROOT, "file://.")
        boms[member] = json.loads(text)
    missing = [m for m in members if m not in boms]
    if missing:
        sys.exit(f"sbom.py: cargo cyclonedx wrote no SBOM for {missing}")
    return boms


def workspace_version() -> str:
    with open(os.path.join(ROOT, "Cargo.toml"), encoding="utf-8") as f:
        body = re.search(r"(?ms)^\[workspace\.package\]\s*$(.*?)(?=^\[|\Z)", f.read())
    m = re.search(r'(?m)^version\s*=\s*"([^"]+)"', body.group(1) if body else "")
    if not m:
        sys.exit("sbom.py: no [workspace.package] version in Cargo.toml")
    return m.group(1)


def repackaged(boms: List[Dict[str, Any]], name: str, version: str, purl: str, description: str) -> Dict[str, Any]:
    """A package (wheel, npm tarball) that bundles compiled crates: its own identity as the root
    component; the crates' roots and all their components beneath it."""
    root_ref = purl
    components: Dict[str, Any] = {}
    dependencies: Dict[str, List[str]] = {root_ref: []}
    for bom in boms:
        crate = dict(bom["metadata"]["component"])
        crate.pop("components", None)  # cargo targets of the binding crate: not separate artifacts
        components[crate["bom-ref"]] = crate
        dependencies[root_ref].append(crate["bom-ref"])
        for c in bom.get("components", []):
            components.setdefault(c["bom-ref"], c)
        for d in bom.get("dependencies", []):
            merged = dependencies.setdefault(d["ref"], [])
            merged.extend(x for x in d.get("dependsOn", []) if x not in merged)
    first = boms[0]
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC,
        "version": 1,
        "serialNumber": first.get("serialNumber"),
        "metadata": {
            "timestamp": first["metadata"].get("timestamp"),
            "tools": first["metadata"].get("tools"),
            "component": {
                "type": "library",
                "bom-ref": root_ref,
                "name": name,
                "version": version,
                "description": description,
                "licenses": first["metadata"]["component"].get("licenses", []),
                "purl": purl,
            },
        },
        "components": list(components.values()),
        "dependencies": [{"ref": r, "dependsOn": deps} for r, deps in dependencies.items()],
    }


def no_runtime_dependencies_python() -> None:
    with open(os.path.join(ROOT, "packages/python/pyproject.toml"), encoding="utf-8") as f:
        m = re.search(r"(?m)^dependencies\s*=\s*\[(.*?)\]", f.read(), re.S)
    if m is None or m.group(1).strip():
        sys.exit("sbom.py: the Python distribution has run-time dependencies now: describe them too "
                 "(cyclonedx-bom from PyPI) before publishing")


def no_runtime_dependencies_npm() -> None:
    with open(os.path.join(ROOT, "packages/npm/package.json"), encoding="utf-8") as f:
        pkg = json.load(f)
    own = pkg["name"] + "-"
    foreign = [d for d in {**pkg.get("dependencies", {}), **pkg.get("optionalDependencies", {}),
                           **pkg.get("peerDependencies", {})} if not d.startswith(own)]
    if foreign:
        sys.exit(f"sbom.py: the npm package has run-time dependencies now ({foreign}): describe them too "
                 "(@cyclonedx/cyclonedx-npm) before publishing")


def validate(path: str, required: bool) -> str:
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError:
        if required:
            sys.exit("sbom.py: --validate needs cyclonedx-python-lib[json-validation]")
        return "not validated (cyclonedx-python-lib missing)"
    with open(path, encoding="utf-8") as f:
        error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(f.read())
    if error is not None:
        sys.exit(f"sbom.py: {path} is not valid CycloneDX {SPEC}: {error}")
    return f"valid CycloneDX {SPEC}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "release-check", "sbom"))
    ap.add_argument("--only", default="crates,python,npm", help="comma-separated: crates, python, npm")
    ap.add_argument("--validate", action="store_true", help="fail when the schema cannot be checked")
    args = ap.parse_args()
    kinds = set(args.only.split(","))
    version = workspace_version()
    members = (CRATES if "crates" in kinds else []) + (PYTHON_CRATES if "python" in kinds else []) + (
        NPM_CRATES if "npm" in kinds else [])
    boms = cargo_boms(members)
    out: Dict[str, Dict[str, Any]] = {}
    if "crates" in kinds:
        for member in CRATES:
            component = boms[member]["metadata"]["component"]
            out[f"{component['name']}-{component['version']}.crate.cdx.json"] = boms[member]
        core = {c["name"] for c in boms["core"].get("components", [])}
        if "kontext-management-emulator" in core:
            sys.exit("sbom.py: the core's SBOM lists a dev-dependency (the emulator)")
    if "python" in kinds:
        no_runtime_dependencies_python()
        out[f"kontext_management-{version}.python.cdx.json"] = repackaged(
            [boms[m] for m in PYTHON_CRATES], "kontext-management", version,
            f"pkg:pypi/kontext-management@{version}", "The Python distribution (wheels and sdist).")
    if "npm" in kinds:
        no_runtime_dependencies_npm()
        out[f"kontext-management-{version}.npm.cdx.json"] = repackaged(
            [boms[m] for m in NPM_CRATES], "kontext-management", version,
            f"pkg:npm/kontext-management@{version}", "The npm package (native addon and WebAssembly engine).")

    os.makedirs(args.out, exist_ok=True)
    for name, bom in sorted(out.items()):
        if bom["metadata"]["component"]["version"] != version:
            sys.exit(f"sbom.py: {name} describes version {bom['metadata']['component']['version']}, not {version}")
        path = os.path.join(args.out, name)
        with tempfile.NamedTemporaryFile("w", dir=args.out, delete=False, encoding="utf-8") as f:
            json.dump(bom, f, indent=1)
        shutil.move(f.name, path)
        shown = os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path
        print(f"sbom: {shown}: {len(bom.get('components', []))} components, "
              f"{validate(path, args.validate)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

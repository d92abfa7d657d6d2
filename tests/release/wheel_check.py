#!/usr/bin/env python3
"""What a platform wheel must be, checked on the file (auditwheel-style, without auditwheel: that
tool needs the wheel's own architecture and knows no zig-built musl wheels).

    wheel_check.py WHEEL PLATFORM [--reference WHEEL]
    wheel_check.py WHEEL --calls DIR   # unpack the library to DIR/lib.so, print NAME=VALUE calls

PLATFORM is the tag the wheel must carry, e.g. manylinux_2_17_x86_64 or musllinux_1_2_aarch64.
Checked:
- RECORD: every file's hash and size;
- name and WHEEL metadata: `py3-none-<PLATFORM>` (uniffi + ctypes: no CPython ABI, one wheel for
  every CPython), not pure;
- contents: the package, py.typed, the generated `_native` module, one shared library, both
  license texts, nothing vendored (no `.libs/`);
- the library: the ELF machine of PLATFORM; NEEDED only the C library level (libc, libm,
  libpthread, libdl, librt, libgcc_s, the dynamic loader); on manylinux no symbol version newer
  than the glibc of the tag; on musllinux no glibc symbol version at all;
- the generated `_native` module is complete: every `uniffi_*` function the library exports is
  named in it (a wheel whose metadata was lost gets an empty module and fails here), and, with
  --reference (the host's dev wheel), its Python files are byte-identical to the reference's.
Prints one line per wheel; exits 1 naming every problem.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List

PACKAGE = "kontext_management"
MACHINES = {"x86_64": "Advanced Micro Devices X86-64", "aarch64": "AArch64"}
# The C-library level every Linux has; anything else would have to be vendored (auditwheel).
ALLOWED_NEEDED = re.compile(
    r"(libc\.so(\.6)?|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libgcc_s\.so\.1|"
    r"ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|ld-musl-(x86_64|aarch64)\.so\.1)"
)


def readelf(*args: str) -> str:
    return subprocess.run(["readelf", "-W", *args], check=True, capture_output=True, text=True).stdout


def native_sources(wheel: zipfile.ZipFile) -> Dict[str, bytes]:
    prefix = f"{PACKAGE}/_native/"
    return {n[len(prefix):]: wheel.read(n) for n in wheel.namelist() if n.startswith(prefix) and n.endswith(".py")}


def check(path: Path, platform: str, reference: Path | None) -> List[str]:
    problems: List[str] = []
    m = re.fullmatch(rf"{PACKAGE}-[0-9][^-]*-py3-none-(.+)\.whl", path.name)
    tags = m.group(1).split(".") if m else []
    if platform not in tags:
        problems.append(f"file name {path.name}: expected py3-none-...{platform}...")
    arch = "aarch64" if platform.endswith("aarch64") else "x86_64"
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        dist_info = next((n.split("/", 1)[0] for n in names if n.endswith(".dist-info/WHEEL")), None)
        if dist_info is None:
            return problems + ["no .dist-info/WHEEL"]
        meta = wheel.read(f"{dist_info}/WHEEL").decode()
        if f"Tag: py3-none-{platform}" not in meta.splitlines():
            problems.append(f"WHEEL has no 'Tag: py3-none-{platform}'")
        if "Root-Is-Purelib: false" not in meta:
            problems.append("WHEEL must say Root-Is-Purelib: false (it carries a native library)")
        # RECORD matches every file (wheel_strip.py rewrites the library after maturin wrote it).
        for line in wheel.read(f"{dist_info}/RECORD").decode().splitlines():
            name, digest, size = line.rsplit(",", 2)
            if digest:
                data = wheel.read(name)
                actual = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                if (actual, str(len(data))) != (digest, size):
                    problems.append(f"RECORD does not match {name}")
        for required in (f"{PACKAGE}/__init__.py", f"{PACKAGE}/py.typed"):
            if required not in names:
                problems.append(f"missing {required}")
        for license_text in ("LICENSE-MIT", "LICENSE-APACHE"):
            if not any(n.startswith(dist_info) and n.endswith(license_text) for n in names):
                problems.append(f"missing {license_text} in {dist_info}")
        libraries = [n for n in names if re.search(r"\.so(\.\d+)*$", n)]
        if [n for n in names if ".libs/" in n]:
            problems.append("vendored libraries (.libs/): the library must need only the C library level")
        if len(libraries) != 1 or not libraries[0].startswith(f"{PACKAGE}/_native/"):
            return problems + [f"expected one shared library under {PACKAGE}/_native/, found {libraries}"]
        sources = native_sources(wheel)
        with tempfile.TemporaryDirectory() as tmp:
            lib = Path(tmp) / "lib.so"
            lib.write_bytes(wheel.read(libraries[0]))
            header = readelf("-h", str(lib))
            dynamic = readelf("-d", str(lib))
            versions = readelf("-V", str(lib))
            dynsyms = readelf("--dyn-syms", str(lib))
    if MACHINES[arch] not in header:
        problems.append(f"{libraries[0]} is not an {arch} ELF")
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    extra = [n for n in needed if not ALLOWED_NEEDED.fullmatch(n)]
    if extra:
        problems.append(f"{libraries[0]} needs libraries beyond the C library level: {extra}")
    glibc = {tuple(map(int, v.split("."))) for v in re.findall(r"Name: GLIBC_([0-9.]+)", versions)}
    if platform.startswith("manylinux_"):
        floor = tuple(map(int, platform.split("_")[1:3]))
        newer = sorted(v for v in glibc if v > floor)
        if newer:
            problems.append(f"symbol versions newer than glibc {floor}: {newer}")
    elif glibc:
        problems.append(f"a musl library with glibc symbol versions: {sorted(glibc)}")
    exported = set(re.findall(r"\b(uniffi_\w+)\s*$", dynsyms, re.MULTILINE))
    text = b"\n".join(sources.values()).decode()
    functions = sorted(s for s in exported if "_fn_" in s)
    if not functions:
        problems.append("the library exports no uniffi functions")
    missing = [s for s in functions if s not in text]
    if missing or not sources:
        problems.append(f"the generated _native module misses {len(missing)} of the {len(functions)} exported functions "
                        f"(lost UniFFI metadata?), e.g. {missing[:3]}")
    if reference is not None:
        with zipfile.ZipFile(reference) as ref:
            expected = native_sources(ref)
        if sources != expected:
            differ = sorted(n for n in set(sources) | set(expected) if sources.get(n) != expected.get(n))
            problems.append(f"generated _native module differs from the reference {reference.name}: {differ}")
    if not problems:
        print(f"{path.name}: ok ({len(functions)} functions in _native, NEEDED {', '.join(needed)}"
              + (f", glibc <= {'.'.join(map(str, max(glibc)))}" if glibc else "") + ")")
    return problems


def calls(path: Path, out: Path) -> int:
    """The calls the generated module makes into the library at import (contract version, one
    checksum per function) with the values it expects, for musl_probe.c; the library goes to
    OUT/lib.so."""
    with zipfile.ZipFile(path) as wheel:
        library = next(n for n in wheel.namelist() if n.startswith(f"{PACKAGE}/_native/") and n.endswith(".so"))
        (out / "lib.so").write_bytes(wheel.read(library))
        text = b"\n".join(native_sources(wheel).values()).decode()
    version = re.search(r"bindings_contract_version = (\d+)", text)
    version_fn = re.search(r"lib\.(ffi_\w+_uniffi_contract_version)\(\)", text)
    checksums = re.findall(r"if lib\.(uniffi_\w+_checksum_\w+)\(\) != (\d+):", text)
    if not (version and version_fn and checksums):
        print(f"{path.name}: the generated module has no contract version or checksum checks", file=sys.stderr)
        return 1
    print(f"{version_fn.group(1)}={version.group(1)}")
    for name, value in checksums:
        print(f"{name}={value}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("wheel", type=Path)
    parser.add_argument("platform", nargs="?")
    parser.add_argument("--reference", type=Path)
    parser.add_argument("--calls", type=Path, metavar="DIR")
    args = parser.parse_args()
    if args.calls:
        return calls(args.wheel, args.calls)
    problems = check(args.wheel, args.platform, args.reference)
    for problem in problems:
        print(f"{args.wheel.name}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

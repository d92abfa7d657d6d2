#!/usr/bin/env python3
"""Remove the debug sections from the shared library inside a zig-built wheel, in place, and
rewrite the wheel's RECORD (`wheel_strip.py WHEEL...`).

Why this exists: Cargo's release profile strips debug info by default (`strip = "debuginfo"`),
so rustc links with `-Wl,--strip-debug`. GNU ld and lld keep the symbol table (.symtab) with
that flag, but `zig cc` turns it into a full strip, which drops .symtab. uniffi-bindgen reads its
`UNIFFI_META_*` records through .symtab only (uniffi_bindgen::macro_metadata::extract_from_elf
walks `elf.syms`, not the dynamic symbols), so `maturin build --zig` generated a `_native`
module without the SDK's functions. The wheels recipe therefore links with
CARGO_PROFILE_RELEASE_STRIP=false (the metadata is found), and this script then does what
`--strip-debug` would have done with a GNU linker: it drops the debug sections of the Rust
standard library (~4 MB) and keeps the symbol table, so the library matches the host build.

objcopy comes from binutils: the host's for x86_64, `aarch64-linux-gnu-objcopy`
(binutils-aarch64-linux-gnu) for aarch64 (`zig objcopy` cannot strip ELF files yet).
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OBJCOPY = {b"\x3e\x00": "objcopy", b"\xb7\x00": "aarch64-linux-gnu-objcopy"}  # e_machine: x86-64, AArch64


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def strip_debug(data: bytes) -> bytes:
    objcopy = OBJCOPY.get(data[18:20])
    if data[:4] != b"\x7fELF" or objcopy is None:
        raise SystemExit("wheel_strip.py: not an x86_64 or aarch64 ELF library")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.so", Path(tmp) / "out.so"
        src.write_bytes(data)
        subprocess.run([objcopy, "--strip-debug", str(src), str(dst)], check=True)
        return dst.read_bytes()


def rewrite(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as old:
        infos = old.infolist()
        contents = {info.filename: old.read(info.filename) for info in infos}
    record = next(name for name in contents if name.endswith(".dist-info/RECORD"))
    changed = {}
    for name, data in contents.items():
        if name.endswith(".so") and data[:4] == b"\x7fELF":
            stripped = strip_debug(data)
            changed[name] = (len(data), len(stripped))
            contents[name] = stripped
    lines = []
    for line in contents[record].decode().splitlines():
        name = line.rsplit(",", 2)[0]
        if name in changed:
            line = f"{name},{record_hash(contents[name])},{len(contents[name])}"
        lines.append(line)
    contents[record] = ("\n".join(lines) + "\n").encode()
    tmp = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as new:
        for info in infos:  # same order, names, dates and permissions; RECORD stays last
            new.writestr(info, contents[info.filename], compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(wheel)
    for name, (before, after) in changed.items():
        print(f"{wheel.name}: {name} {before:,} -> {after:,} bytes (debug sections removed, symbols kept)")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        rewrite(Path(arg))

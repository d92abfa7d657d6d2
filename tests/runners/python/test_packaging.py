"""The built wheel, as a user gets it: one `py3-none-manylinux` file that installs with plain pip
into a fresh virtualenv, imports without any Rust toolchain on PATH, and imports quickly.
Runs when KONTEXT_PYTHON_WHEEL names the wheel (`just test-python` sets it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

WHEEL = os.environ.get("KONTEXT_PYTHON_WHEEL")
pytestmark = pytest.mark.skipif(not WHEEL, reason="KONTEXT_PYTHON_WHEEL is not set")

# The budget is 100 ms on a quiet machine; CI machines share their cores, so allow headroom and
# take the fastest of a few runs.
IMPORT_BUDGET_S = 0.3


def test_the_wheel_is_one_abi_independent_manylinux_2_17_wheel() -> None:
    # manylinux_2_17: the glibc floor promised in packages/python/README.md (zig links against
    # glibc 2.17's symbol versions; tests/release/wheel_check.py checks them).
    assert WHEEL is not None
    machine = os.uname().machine
    match = re.fullmatch(r"kontext_management-[0-9.]+-py3-none-([a-z0-9_.]+)\.whl", Path(WHEEL).name)
    assert match, Path(WHEEL).name
    assert f"manylinux_2_17_{machine}" in match.group(1).split("."), Path(WHEEL).name


def test_installs_into_a_fresh_venv_and_imports_without_rust(tmp_path: Path) -> None:
    assert WHEEL is not None
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Plain pip, pointed at the new environment; --no-index: nothing but the wheel is needed.
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--no-index", WHEEL], check=True)
    empty = tmp_path / "bin"
    empty.mkdir()
    bare_env = {"PATH": str(empty), "HOME": str(tmp_path)}  # no cargo, no rustc, no compiler at all
    probe = (
        "import time; t = time.perf_counter(); import kontext_management; d = time.perf_counter() - t; "
        "kontext_management.oauth.create_pkce_challenge(); print(d)"
    )
    timings = [
        float(
            subprocess.run([str(python), "-c", probe], env=bare_env, check=True, capture_output=True, text=True).stdout
        )
        for _ in range(5)
    ]
    assert min(timings) < IMPORT_BUDGET_S, f"import kontext_management took {min(timings) * 1000:.0f} ms at best"

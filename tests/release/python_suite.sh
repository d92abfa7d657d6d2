#!/usr/bin/env bash
# The Python scenario suite (tests/runners/python/test_scenarios.py, as `just test-python` runs it
# against the dev build) against an *installed* wheel: a fresh venv, the wheel and pytest
# installed into it with plain pip, and a check that `import kontext_management` resolves to that
# venv's site-packages before the suite runs (tests/runners/python holds no copy of the package,
# and the source tree is never put on sys.path).
#
#     python_suite.sh VENV WHEEL EMULATOR_BIN [PYTEST_ARGS...]    # e.g. -k "sync and fault-5"
set -euo pipefail
venv=$(realpath -m "$1") wheel=$(realpath "$2") emulator=$(realpath "$3")
shift 3
runners="$(cd "$(dirname "${BASH_SOURCE[0]}")/../runners/python" && pwd)"
rm -rf "$venv"
# Debian's python3 may lack ensurepip (package python3-venv); pip can then seed the venv.
python3 -m venv "$venv" 2>/dev/null || {
  python3 -m venv --clear --without-pip "$venv"
  python3 -m pip --python "$venv/bin/python" install --quiet --disable-pip-version-check pip
}
"$venv/bin/pip" install --quiet --disable-pip-version-check pytest==9.2.0
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index --no-deps "$wheel"
cd "$runners"
"$venv/bin/python" - "$venv" <<'EOF'
import os, sys, sysconfig
import kontext_management
site = os.path.realpath(sysconfig.get_paths()["purelib"])
where = os.path.realpath(kontext_management.__file__)
assert where.startswith(site + os.sep), f"kontext_management imported from {where}, not from {site}"
print(f"kontext_management {kontext_management.__version__} imported from {where}")
EOF
KONTEXT_EMULATOR_BIN="$emulator" "$venv/bin/python" -m pytest -p no:cacheprovider -q test_scenarios.py "$@"

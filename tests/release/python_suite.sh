#!/usr/bin/env bash
# The Python tests of tests/runners/python against an *installed* wheel: a fresh venv, the test
# tools and the wheel installed into it with plain pip (the wheel offline, without dependencies:
# it has none), and a check that `import kontext_management` resolves to that venv's
# site-packages before pytest runs (tests/runners/python holds no copy of the package, and the
# source tree is never put on sys.path). `just test-python` runs it on the dev wheel (the
# manylinux_2_17 wheel of this machine), `just release-check` on the wheel built from the sdist.
#
#     python_suite.sh VENV WHEEL EMULATOR_BIN [PYTEST_ARGS...]    # e.g. test_scenarios.py -k "sync and fault-5"
#
# PYTHON_SUITE_TOOLS (default: pytest) names the pinned tools to install besides the wheel.
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
# shellcheck disable=SC2086  # a list of requirement specifiers
"$venv/bin/pip" install --quiet --disable-pip-version-check ${PYTHON_SUITE_TOOLS:-pytest==9.2.0}
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index --no-deps "$wheel"
cd "$runners"
"$venv/bin/python" - "$venv" <<'PY'
import os, sysconfig
import kontext_management
site = os.path.realpath(sysconfig.get_paths()["purelib"])
where = os.path.realpath(kontext_management.__file__)
assert where.startswith(site + os.sep), f"kontext_management imported from {where}, not from {site}"
print(f"kontext_management {kontext_management.__version__} imported from {where}")
PY
KONTEXT_EMULATOR_BIN="$emulator" KONTEXT_PYTHON_WHEEL="$wheel" "$venv/bin/python" -m pytest -p no:cacheprovider -q "$@"

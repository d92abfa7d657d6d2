# Sourced by recipes and runners: starts the emulator on a free loopback port, exports
# KONTEXT_BASE_URL / KONTEXT_CLIENT_ID / KONTEXT_CLIENT_SECRET, and stops it when the sourcing
# shell exits. Extra arguments go to the emulator (e.g. --seed 42).
_kontext_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_kontext_bin="${KONTEXT_EMULATOR_BIN:-$_kontext_root/target/debug/kontext-management-emulator}"
_kontext_out="$(mktemp)"
"$_kontext_bin" --port 0 --json "$@" >"$_kontext_out" &
KONTEXT_EMULATOR_PID=$!
trap 'kill "$KONTEXT_EMULATOR_PID" 2>/dev/null; wait "$KONTEXT_EMULATOR_PID" 2>/dev/null; rm -f "$_kontext_out"' EXIT
for _ in $(seq 1 200); do
  [ -s "$_kontext_out" ] && break
  kill -0 "$KONTEXT_EMULATOR_PID" 2>/dev/null || { echo "the emulator exited early" >&2; exit 1; }
  sleep 0.05
done
_kontext_line="$(head -n 1 "$_kontext_out")"
[ -n "$_kontext_line" ] || { echo "the emulator did not report its address" >&2; exit 1; }
eval "$(python3 -c 'import json,sys,shlex; d=json.loads(sys.argv[1]); print("export KONTEXT_BASE_URL=%s KONTEXT_CLIENT_ID=%s KONTEXT_CLIENT_SECRET=%s" % (shlex.quote(d["baseUrl"]), shlex.quote(d["clientId"]), shlex.quote(d["clientSecret"])))' "$_kontext_line")"
export KONTEXT_EMULATOR_PID

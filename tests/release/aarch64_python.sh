#!/usr/bin/env bash
# An aarch64 CPython (and musl's aarch64 loader) to run under qemu-user: Debian's own arm64 packages of python3.11 and the
# shared libraries it loads, unpacked into a sysroot (nothing is installed on the host; the
# host's dpkg never learns about arm64). Idempotent: a second run with the sysroot in place
# does nothing.
#
#     aarch64_python.sh DIR    # then: qemu-aarch64 -L DIR/root DIR/root/usr/bin/python3.11 ...
#
# How: a private apt state under DIR (its own package lists, cache and an empty dpkg status),
# with arm64 as the only architecture, reads the host's Debian sources; `apt-get download`
# fetches the .debs and `dpkg -x` unpacks them. Debian is the registry this machine reaches, and
# bookworm's python3.11 is the CPython the x86_64 tests run on, so both architectures test the
# same interpreter version.
set -euo pipefail
dir=$(realpath -m "$1")
root="$dir/root"
# python3.11 and what its binary and the modules the SDK imports (ctypes, asyncio, ssl-less
# socket code, json, logging) load: libc, libgcc_s, libffi (ctypes), zlib, expat, libcrypt,
# libuuid, bz2/lzma, sqlite, ncurses (readline-less REPL only, kept for completeness).
# Plus musl (its loader /lib/ld-musl-aarch64.so.1), for the musllinux aarch64 wheel's load check.
packages=(python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libc6 libgcc-s1 libffi8
  zlib1g libexpat1 libcrypt1 libuuid1 libbz2-1.0 liblzma5 libssl3 libsqlite3-0 libncursesw6 libtinfo6 musl)
stamp="$root/.packages"
if [ -x "$root/usr/bin/python3.11" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${packages[*]}" ]; then
  exit 0
fi
apt_state="$dir/apt"
mkdir -p "$apt_state/lists/partial" "$apt_state/cache/archives/partial" "$dir/debs"
: > "$apt_state/status"
apt_opts=(
  -o "Dir::State::Lists=$apt_state/lists" -o "Dir::Cache=$apt_state/cache"
  -o "Dir::State::status=$apt_state/status" -o "APT::Architecture=arm64"
  -o "APT::Architectures::=arm64" -o "Debug::NoLocking=1" -q
)
apt-get "${apt_opts[@]}" update >"$dir/apt-update.log" 2>&1 || { cat "$dir/apt-update.log" >&2; exit 1; }
rm -f "$dir"/debs/*.deb
# (apt warns that the download runs unsandboxed as root: harmless here.)
(cd "$dir/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}") >"$dir/apt-download.log" 2>&1 ||
  { cat "$dir/apt-download.log" >&2; exit 1; }
rm -rf "$root" && mkdir -p "$root"
for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
test -x "$root/usr/bin/python3.11"
echo "${packages[*]}" > "$stamp"

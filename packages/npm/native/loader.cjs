'use strict';
// Finds and loads the native addon, the napi-rs way, for Node, Bun and Deno (`--allow-ffi`):
//   1. NAPI_RS_NATIVE_LIBRARY_PATH, when set (a debugging override, as in napi-rs' loaders);
//   2. `kontext-management.<platform>.node` next to this file (a local `napi build --platform`);
//   3. the per-platform package `kontext-management-<platform>`, an optional dependency that
//      npm installs only where its `os`/`cpu`/`libc` match.
// `<platform>` uses napi-rs' names: linux-x64-gnu, linux-arm64-musl, darwin-arm64,
// win32-x64-msvc, … Throws one error naming every place tried; the caller falls back to wasm.

const { readFileSync } = require('node:fs');

/** musl or glibc: `ldd` names its libc (fast); else glibc reports its version, musl does not. */
function isMusl() {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    try {
      return !process.report.getReport().header.glibcVersionRuntime;
    } catch {
      return false;
    }
  }
}

function platformName() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function load() {
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
  const name = platformName();
  const candidates = override ? [override] : [`./kontext-management.${name}.node`, `kontext-management-${name}`];
  const failures = [];
  for (const candidate of candidates) {
    try {
      return require(candidate);
    } catch (error) {
      failures.push(`${candidate}: ${error?.message ?? error}`);
    }
  }
  const error = new Error(`no native Kontext engine for ${name} could be loaded:\n  ${failures.join('\n  ')}`);
  error.code = 'KONTEXT_NO_NATIVE_ENGINE';
  throw error;
}

module.exports = load();

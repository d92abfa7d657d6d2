'use strict';
// Finds and loads the native addon, the napi-rs way, for Node, Bun and Deno (`--allow-ffi`):
//   1. NAPI_RS_NATIVE_LIBRARY_PATH, when set (a debugging override, as in napi-rs' loaders);
//   2. `kontext-management.<platform>.node` next to this file: a local build (`just build-node`)
//      in the repository. The published package carries none, so users never reach this;
//   3. the per-platform package `kontext-management-<platform>`, an optional dependency that
//      npm installs only where its `os`/`cpu`/`libc` match. Its version must be this package's:
//      an addon of another version may not speak this JS layer's engine interface.
// `<platform>` uses napi-rs' names: linux-x64-gnu, linux-arm64-musl, darwin-arm64,
// win32-x64-msvc, … Throws one error naming every place tried; the caller (select.cjs) falls
// back to the wasm engine, or reports it when the native engine was asked for.

const { readFileSync } = require('node:fs');
const { version } = require('../package.json');

/** musl's `ldd` is a script that names it, glibc's names glibc (null: no readable ldd). */
function muslFromLdd() {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    return null;
  }
}

/**
 * Node's diagnostic report: glibc reports its runtime version, musl does not (napi-rs' check).
 * Network info is excluded: collecting it can wait on DNS. Null where there is no report (Deno).
 */
function muslFromReport() {
  try {
    if (typeof process.report?.getReport !== 'function') return null;
    process.report.excludeNetwork = true;
    const header = process.report.getReport()?.header;
    if (!header) return null;
    return !header.glibcVersionRuntime;
  } catch {
    return null;
  }
}

/** The running libc: `ldd` first (fast, also in Bun and Deno), then the report; else glibc. */
function isMusl() {
  return muslFromLdd() ?? muslFromReport() ?? false;
}

function platformName() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** The per-platform package, when it is installed and of this package's version. */
function requirePackage(name) {
  const found = require(`${name}/package.json`).version;
  if (found !== version) {
    throw new Error(`${name} is version ${found}, kontext-management is ${version}: reinstall them together`);
  }
  return require(name);
}

function load() {
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
  const name = platformName();
  const candidates = override
    ? [[override, () => require(override)]]
    : [
        [`./kontext-management.${name}.node`, () => require(`./kontext-management.${name}.node`)],
        [`kontext-management-${name}`, () => requirePackage(`kontext-management-${name}`)],
      ];
  const failures = [];
  for (const [candidate, attempt] of candidates) {
    try {
      return attempt();
    } catch (error) {
      failures.push(`${candidate}: ${String(error?.message ?? error).split('\n')[0]}`);
    }
  }
  const error = new Error(`no native Kontext engine for ${name} could be loaded:\n  ${failures.join('\n  ')}`);
  error.code = 'KONTEXT_NO_NATIVE_ENGINE';
  throw error;
}

module.exports = load();

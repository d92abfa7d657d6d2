'use strict';
// Where this platform's emulator binary is: the package `kontext-management-emulator-<platform>`,
// an optional dependency that npm installs only where its `os`/`cpu`/`libc` match (the
// esbuild/napi-rs pattern). `<platform>` uses napi-rs' names, as the SDK's addon packages do:
// linux-x64-gnu, linux-arm64-gnu, linux-x64-musl, linux-arm64-musl, darwin-x64, darwin-arm64,
// win32-x64-msvc.

const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

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

/** The binary's path; throws (code `KONTEXT_NO_EMULATOR_BINARY`) naming the package it needs. */
function binaryPath() {
  const name = platformName();
  const pkg = `kontext-management-emulator-${name}`;
  const file = process.platform === 'win32' ? 'kontext-management-emulator.exe' : 'kontext-management-emulator';
  let dir;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    const error = new Error(
      `the emulator package for this platform (${pkg}) is not installed: reinstall kontext-management-emulator ` +
        `without --omit=optional / --no-optional, or set KONTEXT_EMULATOR_BIN to a kontext-management-emulator binary`,
    );
    error.code = 'KONTEXT_NO_EMULATOR_BINARY';
    throw error;
  }
  const path = join(dir, 'bin', file);
  if (!existsSync(path)) {
    const error = new Error(`${pkg} is installed but has no ${join('bin', file)}`);
    error.code = 'KONTEXT_NO_EMULATOR_BINARY';
    throw error;
  }
  return path;
}

module.exports = { binaryPath, platformName };

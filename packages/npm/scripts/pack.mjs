// Packs the npm release the napi-rs way: one tarball per platform whose addon is built
// (`npm/<platform>/kontext-management.<platform>.node`), and the main package, whose
// `optionalDependencies` name every per-platform package of `napi.targets` at this version, so
// npm installs only the one whose `os`/`cpu`/`libc` match. (napi's `pre-publish` writes the same
// field; it is added only while packing, because the per-platform packages are not on the
// registry until a release publishes them, and `npm ci` in this folder would try to fetch them.)
//
//     node scripts/pack.mjs --out DIR [PLATFORM ...]   # default: every platform with an addon
//
// Prints one tarball path per line. Used by `just npm-packed` and the release workflow.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(pkgDir, '../..');

/** napi-rs' platform name of a Rust target triple (`aarch64-unknown-linux-musl` → `linux-arm64-musl`). */
export function platformOf(triple) {
  const [arch, , os, abi] = triple.split('-');
  const cpu = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }[arch] ?? arch;
  if (os === 'linux') return `linux-${cpu}-${abi}`;
  if (os === 'darwin') return `darwin-${cpu}`;
  if (os === 'windows') return `win32-${cpu}-${abi}`;
  throw new Error(`no napi platform name for ${triple}`);
}

function pack(dir, out) {
  const [result] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', out], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  return join(out, result.filename);
}

function main(args) {
  const outIndex = args.indexOf('--out');
  if (outIndex < 0 || !args[outIndex + 1]) throw new Error('usage: pack.mjs --out DIR [PLATFORM ...]');
  const out = resolve(args[outIndex + 1]);
  const wanted = args.filter((_, i) => i !== outIndex && i !== outIndex + 1);
  mkdirSync(out, { recursive: true });

  const text = readFileSync(join(pkgDir, 'package.json'), 'utf8');
  const manifest = JSON.parse(text);
  const platforms = manifest.napi.targets.map(platformOf);
  for (const name of wanted) {
    if (!platforms.includes(name)) throw new Error(`${name} is not in napi.targets (${platforms.join(', ')})`);
  }
  const tarballs = [];
  for (const platform of wanted.length ? wanted : platforms) {
    const dir = join(pkgDir, 'npm', platform);
    const addon = join(dir, `${manifest.napi.binaryName}.${platform}.node`);
    if (!existsSync(addon)) {
      if (wanted.length) throw new Error(`${addon} is missing: build it first`);
      continue;
    }
    for (const license of ['LICENSE-MIT', 'LICENSE-APACHE']) copyFileSync(join(repo, license), join(dir, license));
    tarballs.push(pack(dir, out));
  }

  const optionalDependencies = Object.fromEntries(
    platforms.map((platform) => [`${manifest.name}-${platform}`, manifest.version]),
  );
  writeFileSync(join(pkgDir, 'package.json'), `${JSON.stringify({ ...manifest, optionalDependencies }, null, 2)}\n`);
  try {
    tarballs.push(pack(pkgDir, out));
  } finally {
    writeFileSync(join(pkgDir, 'package.json'), text);
  }
  console.log(tarballs.join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

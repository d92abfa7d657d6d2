// The published types, checked in the repository: `tsc --strict` over an example that calls every
// method. The package as users get it (packed tarballs, installed offline, run in Node, Bun, Deno
// and workerd, types checked as CommonJS and ESM consumers) is tested by `just npm-packed`
// (tests/release/npm-packed.mjs, part of `just release-check`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { packageDir } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(packageDir, 'node_modules/typescript/bin/tsc');

test('index.d.ts type-checks an example calling every method (tsc --strict)', () => {
  execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { cwd: here, stdio: 'pipe' });
  assert.doesNotMatch(readFileSync(join(packageDir, 'index.d.ts'), 'utf8'), /\bany\b/, 'no `any` in the public types');
});

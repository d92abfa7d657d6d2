// The package as users get it: `npm pack`, installed into an empty folder, then loaded with
// `require` and `import` and type-checked as CommonJS and as ESM; plus the in-repo type check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { engineName, packageDir } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(packageDir, 'node_modules/typescript/bin/tsc');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const native = { skip: engineName !== 'native' && 'packs the native engine' };

test('index.d.ts type-checks an example calling every method (tsc --strict)', () => {
  run(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], here);
  assert.doesNotMatch(readFileSync(join(packageDir, 'index.d.ts'), 'utf8'), /\bany\b/, 'no `any` in the public types');
});

test(
  'npm pack → npm install ./tarball → require, import and tsc work without Rust',
  { ...native, timeout: 300_000 },
  (t) => {
    const work = mkdtempSync(join(tmpdir(), 'kontext-management-npm-'));
    try {
      const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], packageDir).trim().split('\n').pop();
      const listing = run('tar', ['-tzf', join(work, tarball)], work);
      for (const file of [
        'native/kontext-management.linux-x64-gnu.node',
        'native/loader.cjs',
        'dist/cjs/index.js',
        'index.d.ts',
        'index.d.cts',
        'index.node.mjs',
      ]) {
        assert.ok(listing.includes(`package/${file}`), `${file} is in the tarball`);
      }
      t.diagnostic(`tarball ${tarball}: ${listing.trim().split('\n').length} files`);

      const app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
      // No registry needed: the package has no runtime dependencies; PATH without cargo proves
      // that nothing gets compiled.
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(work, tarball)], {
        cwd: app,
        stdio: 'pipe',
        env: { ...process.env, PATH: dirname(process.execPath) + ':/usr/bin:/bin' },
      });

      const probe = `
      const t0 = performance.now();
      const k = LOAD;
      const loadMs = performance.now() - t0;
      const c = new k.KontextManagementClient({ baseUrl: 'https://api.kontext.security', credentials: { clientId: 'a', clientSecret: 'b' } });
      const pkce = await k.createPkceChallenge();
      let config;
      try { new k.KontextManagementClient({ baseUrl: 'x' }); } catch (e) { config = e instanceof k.ConfigError && k.isKontextError(e); }
      console.log(JSON.stringify({ method: pkce.codeChallengeMethod, ua: c.userAgent, config, loadMs }));`;
      writeFileSync(
        join(app, 'probe.cjs'),
        `(async () => {${probe.replace('LOAD', "require('kontext-management')")}})();`,
      );
      writeFileSync(join(app, 'probe.mjs'), probe.replace('LOAD', "await import('kontext-management')"));
      for (const file of ['probe.cjs', 'probe.mjs']) {
        const out = JSON.parse(run(process.execPath, [file], app));
        assert.equal(out.method, 'S256', file);
        assert.equal(out.config, true, file);
        assert.match(out.ua, /kontext-management-node\//, file);
        t.diagnostic(`${file}: loading the package took ${out.loadMs.toFixed(1)} ms`);
      }
      const esm = run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import * as k from 'kontext-management'; import * as n from 'kontext-management/native'; console.log(k.KontextManagementClient === n.KontextManagementClient)",
        ],
        app,
      );
      assert.equal(esm.trim(), 'true');
      const same = run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { createRequire } from 'node:module'; import * as k from 'kontext-management'; console.log(k.KontextError === createRequire(import.meta.url)('kontext-management').KontextError)",
        ],
        app,
      );
      assert.equal(same.trim(), 'true', 'import and require share one set of classes');

      // The published types, resolved through `exports` as a CommonJS and as an ESM consumer.
      copyFileSync(join(here, 'typecheck-example.ts'), join(app, 'example.mts'));
      copyFileSync(join(here, 'typecheck-example.ts'), join(app, 'example.cts'));
      const tsOptions = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--module', 'nodenext'];
      run(process.execPath, [tsc, ...tsOptions, 'example.mts', 'example.cts'], app);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);

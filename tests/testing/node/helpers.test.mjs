// kontext-management/testing as installed from the tarballs (`just test-testing`): where it finds
// the binary, how it fails, that it never leaves a process behind, loopback only, and the control
// API closed to other origins.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { EmulatorError, findEmulatorBinary, startEmulator } from 'kontext-management/testing';

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Runs a script in a child Node process (in this project, so the package resolves); resolves with it and its first line. */
async function script(source) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [line] = await once(child.stdout, 'data');
  return { child, pid: Number(String(line).trim()) };
}

test('the packaged binary is found', () => {
  assert.match(findEmulatorBinary(), /node_modules\/kontext-management-emulator-linux-x64-gnu\/bin\/kontext-management-emulator$/);
});

test('npx kontext-management-emulator runs the packaged binary', () => {
  const version = execFileSync('node_modules/.bin/kontext-management-emulator', ['--version'], { encoding: 'utf8' });
  assert.match(version, /^kontext-management-emulator \d+\.\d+\.\d+/);
});

test('a missing binary is a clear error', async () => {
  process.env.KONTEXT_EMULATOR_BIN = '/nowhere/kontext-management-emulator';
  try {
    await assert.rejects(startEmulator(), (e) => e instanceof EmulatorError && /KONTEXT_EMULATOR_BIN=.*nowhere.* is not an executable file/.test(e.message));
  } finally {
    delete process.env.KONTEXT_EMULATOR_BIN;
  }
  await assert.rejects(startEmulator({ binary: '/nowhere/bin' }), /could not run the emulator \/nowhere\/bin/);

  // kontext-management without kontext-management-emulator, and no binary on PATH.
  const bare = mkdtempSync(join(tmpdir(), 'kontext-testing-bare-'));
  try {
    cpSync('node_modules/kontext-management', join(bare, 'node_modules/kontext-management'), { recursive: true });
    const probe = "import('kontext-management/testing').then((t) => t.startEmulator()).catch((e) => console.log(e.name + ': ' + e.message))";
    const out = execFileSync(process.execPath, ['-e', probe], { cwd: bare, encoding: 'utf8', env: { PATH: '/nowhere' } });
    assert.match(out, /^EmulatorError: the kontext-management-emulator binary was not found: install it with `npm install --save-dev kontext-management-emulator`/);
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});

test('a taken port is a clear error', async () => {
  const first = await startEmulator();
  try {
    const port = Number(new URL(first.baseUrl).port);
    await assert.rejects(startEmulator({ port }), new RegExp(`exited with code 1: .*cannot bind 127\\.0\\.0\\.1:${port}`));
  } finally {
    await first.stop();
  }
});

test('loopback only, and the control API is closed to other origins', async () => {
  const emulator = await startEmulator();
  try {
    assert.match(emulator.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    // Bound to 127.0.0.1 itself, not to every interface: 127.0.0.2 (also this machine) is refused.
    const port = Number(new URL(emulator.baseUrl).port);
    const socket = connect({ host: '127.0.0.2', port });
    const [error] = await once(socket, 'error');
    assert.equal(error.code, 'ECONNREFUSED');
    const refused = await fetch(`${emulator.baseUrl}/_emulator/reset`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    assert.equal(refused.status, 403);
    const local = await fetch(`${emulator.baseUrl}/_emulator/reset`, { method: 'POST', headers: { origin: 'http://localhost:5173' } });
    assert.equal(local.status, 200);
  } finally {
    await emulator.stop();
  }
});

test('control errors name the field; the helpers reach every control call', async () => {
  const emulator = await startEmulator();
  try {
    await assert.rejects(emulator.fault({ status: 700 }), /status must be an HTTP status/);
    await assert.rejects(emulator.advanceClock(-1), TypeError);
    assert.equal(await emulator.fault({ status: 500 }), 'fault_1');
    await emulator.clearFaults();
    assert.equal((await emulator.seed({ applications: 2 })).applicationIds.length, 2);
    assert.equal((await emulator.configure({ rateLimitPerMinute: 0 })).rateLimitPerMinute, 0);
    assert.equal(await emulator.revokeTokens(), 0);
    assert.deepEqual(await emulator.requests(), []);
  } finally {
    await emulator.stop();
  }
});

test('stop() and asyncDispose end the process', async () => {
  const emulator = await startEmulator();
  await emulator.stop();
  await emulator.stop();
  assert.equal(alive(emulator.pid), false);
  await assert.rejects(emulator.requests(), /not running/);
  const disposed = await startEmulator();
  await disposed[Symbol.asyncDispose]();
  assert.equal(alive(disposed.pid), false);
});

test('a test process that ends without stop() leaves no emulator, and is not held open by it', async () => {
  // A failing test file: the emulator is never stopped, and the process exits with an error.
  const { child, pid } = await script(`
    import { startEmulator } from 'kontext-management/testing';
    const e = await startEmulator();
    console.log(e.pid);
    setTimeout(() => { throw new Error('a failing test'); }, 100);
  `);
  const [code] = await once(child, 'exit');
  assert.equal(code, 1);
  assert.ok(await waitGone(pid), `emulator ${pid} outlived the test process`);

  // Forgotten, without an error: the process still ends by itself (nothing waits for the emulator).
  const forgotten = await script(`
    import { startEmulator } from 'kontext-management/testing';
    console.log((await startEmulator()).pid);
  `);
  const [exit] = await Promise.race([once(forgotten.child, 'exit'), new Promise((r) => setTimeout(() => r(['hung']), 10_000))]);
  assert.equal(exit, 0);
  assert.ok(await waitGone(forgotten.pid));
});

test('a killed test process leaves no emulator', async () => {
  const { child, pid } = await script(`
    import { startEmulator } from 'kontext-management/testing';
    console.log((await startEmulator()).pid);
    setInterval(() => {}, 1000);
  `);
  assert.ok(alive(pid));
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.ok(await waitGone(pid), `emulator ${pid} outlived a SIGKILLed parent`);
});

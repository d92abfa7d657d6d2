// Testing code that calls the Kontext Management API, against the local emulator.
//
//     npm install kontext-management && npm install --save-dev kontext-management-emulator
//     node --test            (or vitest: the same calls work in `describe`/`it`)
//
// One emulator for the file (a free loopback port), reset before each test.

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { RateLimitError, InternalServerError } from 'kontext-management';
import { startEmulator } from 'kontext-management/testing';

/** The code under test: here, anything that calls the SDK. */
async function appNames(client) {
  const names = [];
  for await (const app of client.applications.listAll()) names.push(app.name);
  return names;
}

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(() => emulator.stop());
beforeEach(() => emulator.reset());

test('a 503 is retried', async () => {
  const client = emulator.client();
  await client.applications.create({ name: 'Support copilot' });
  await emulator.fault({ status: 503, method: 'GET', path: '/api/v1/applications' });

  assert.deepEqual(await appNames(client), ['Support copilot']);

  const statuses = (await emulator.requests()).filter((r) => r.path === '/api/v1/applications').map((r) => r.status);
  assert.deepEqual(statuses.slice(-2), [503, 200]);
});

test('a 429 waits for Retry-After', async () => {
  await emulator.fault({ status: 429, path: '/api/v1/applications', headers: { 'retry-after': '1' } });

  const started = performance.now();
  const page = await emulator.client().applications.list();
  assert.ok(performance.now() - started >= 1000, 'the client waited as Retry-After asked');
  assert.deepEqual(page.items, []);
});

test('an expired token is renewed', async () => {
  const client = emulator.client();
  await client.applications.list();
  await emulator.advanceClock(3601); // past the token's hour

  await client.applications.list();

  const log = (await emulator.requests()).map((r) => [r.path, r.status]);
  assert.deepEqual(log.slice(-3), [
    ['/api/v1/applications', 401],
    ['/oauth2/token', 200],
    ['/api/v1/applications', 200],
  ]);
});

test('errors the client gives up on', async () => {
  await emulator.fault({ status: 503, path: '/api/v1/applications', times: 10 });
  await assert.rejects(emulator.client({ maxRetries: 1 }).applications.list(), InternalServerError);

  await emulator.fault({ status: 429, path: '/api/v1/integrations', headers: { 'retry-after': '0' }, times: 10 });
  await assert.rejects(emulator.client({ maxRetries: 0 }).integrations.list(), RateLimitError);
});

test('an emulator of its own, seeded', async () => {
  const own = await startEmulator({ seed: 1 }); // Node 24+: `await using own = ...` stops it too
  try {
    assert.equal((await appNames(own.client())).length, 6);
  } finally {
    await own.stop();
  }
});

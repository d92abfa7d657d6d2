// The same helpers under vitest (`npx vitest run`): one emulator for the file, reset before each
// test, stopped after the last.

import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';

import { startEmulator } from 'kontext-management/testing';

let emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

test('a 503 then success', async () => {
  await emulator.fault({ status: 503, path: '/api/v1/applications' });
  const page = await emulator.client().applications.list();
  expect(page.items).toEqual([]);
  expect((await emulator.requests()).map((r) => r.status).slice(-2)).toEqual([503, 200]);
});

test('a 429 with Retry-After', async () => {
  await emulator.fault({ status: 429, path: '/api/v1/applications', headers: { 'retry-after': '1' } });
  const started = performance.now();
  await emulator.client().applications.list();
  expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
});

test('token expiry', async () => {
  const client = emulator.client();
  await client.applications.list();
  await emulator.advanceClock(3601);
  await client.applications.list();
  expect((await emulator.requests()).map((r) => [r.path, r.status]).slice(-3)).toEqual([
    ['/api/v1/applications', 401],
    ['/oauth2/token', 200],
    ['/api/v1/applications', 200],
  ]);
});

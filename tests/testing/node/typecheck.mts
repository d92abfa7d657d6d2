// Type-checked against the installed package by `just test-testing` (tsc --strict, nodenext):
// the types of `kontext-management/testing` as a TypeScript user sees them.
import { type Emulator, EmulatorError, findEmulatorBinary, type LoggedRequest, startEmulator } from 'kontext-management/testing';

export async function example(): Promise<void> {
  const binary: string = findEmulatorBinary();
  const emulator: Emulator = await startEmulator({ binary, seed: 1, rateLimit: 0, tokenTtl: 60 });
  try {
    const client = emulator.client({ maxRetries: 0 });
    await client.applications.list();
    const id: string = await emulator.fault({ status: 429, path: '/api/v1/*', headers: { 'retry-after': '1' }, times: 2 });
    await emulator.fault({ action: 'drop', method: 'POST' });
    const now: string = await emulator.advanceClock(3601);
    const log: LoggedRequest[] = await emulator.requests();
    const statuses: (number | null)[] = log.map((r) => r.status);
    const seeded = await emulator.seed({ applications: 2 });
    const first: string | undefined = seeded.applicationIds[0];
    await emulator.reset({ seed: 2 });
    await emulator.clearFaults();
    await emulator.clearRequests();
    const settings = await emulator.configure({ rateLimitPerMinute: 0 });
    const revoked: number = await emulator.revokeTokens();
    console.log(id, now, statuses, first, settings.tokenTtlSeconds, revoked, emulator.env.KONTEXT_BASE_URL);
  } catch (error) {
    if (error instanceof EmulatorError) console.log(error.message);
  } finally {
    await emulator[Symbol.asyncDispose]();
  }
}

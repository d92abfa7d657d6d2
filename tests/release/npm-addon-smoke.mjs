// One addon, one call (`just npm-cross`): the package's Node entry with the loader pointed at the
// addon under test (NAPI_RS_NATIVE_LIBRARY_PATH, KONTEXT_ENGINE=native), against the emulator.
// Runs in whatever Node runs it: the host's, or an arm64 Node under qemu-user. Prints one line.

import { startEmulator } from '../runners/node/harness.mjs';

const emulator = await startEmulator();
try {
  const k = await import('../../packages/npm/index.node.mjs');
  const client = new k.KontextManagementClient({
    baseUrl: emulator.baseUrl,
    credentials: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
  });
  const { application } = await client.applications.create({ name: 'addon-smoke' });
  const { items } = await client.applications.list();
  if (!items.some((app) => app.id === application.id)) throw new Error('the created application is not listed');
  console.log(`${process.arch}: ${client.userAgent}: created and listed an application`);
} finally {
  await emulator.stop();
}

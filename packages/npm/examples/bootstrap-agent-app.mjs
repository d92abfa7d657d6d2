// The main job through the JS package: bootstrap an agent application.
// Run against the emulator (`just emulator`), with KONTEXT_BASE_URL / KONTEXT_CLIENT_ID /
// KONTEXT_CLIENT_SECRET set; KONTEXT_ENGINE=wasm runs it on the WebAssembly engine instead of
// the native addon (same API, same results).
const engine = process.env.KONTEXT_ENGINE === 'wasm' ? 'wasm' : 'native';
const { KontextManagementClient, isKontextError } = await import(engine === 'wasm' ? '../wasm.mjs' : '../index.node.mjs');
const say = (line) => console.log(`node/${engine}: ${line}`);

const mgmt = new KontextManagementClient({
  baseUrl: process.env.KONTEXT_BASE_URL,
  credentials: { clientId: process.env.KONTEXT_CLIENT_ID, clientSecret: process.env.KONTEXT_CLIENT_SECRET },
  userAgent: 'kontext-management-demo',
});
const run = `${process.pid} (${engine})`;

const { application, oauth } = await mgmt.applications.create({
  name: `Support Copilot ${run}`,
  description: 'Answers tickets with Linear and GitHub context',
  oauth: {
    type: 'confidential',
    redirectUris: ['https://copilot.example.com/oauth/callback', 'http://127.0.0.1:8976/callback'],
    scopes: ['mcp:invoke'],
    allowedResources: ['mcp-gateway'],
  },
});
say(`created application "${application.name}" (${application.id})`);
say(`  oauth client ${oauth.clientId} (${oauth.type}), secret shown once: ${oauth.clientSecret ? 'received, store it now' : 'none'}`);

const { integration } = await mgmt.integrations.create({ name: `Linear ${run}`, url: 'https://mcp.linear.app/sse', authMode: 'oauth' });
await mgmt.applications.attachIntegration(application.id, integration.id);
const { integrationIds } = await mgmt.applications.listIntegrations(application.id);
say(`attached "${integration.name}"; the app uses ${integrationIds.length} integration(s)`);

let count = 0;
for await (const _app of mgmt.applications.listAll({ limit: 100 })) count += 1;
say(`paged through ${count} applications (lazily, 100 per request)`);

const rotated = await mgmt.applications.rotateSecret(application.id);
say(`rotated the client secret of ${rotated.oauth.clientId} (the old one stopped working)`);

const sessions = await mgmt.agentSessions.list(application.id, { includeInactive: true });
say(`${sessions.items.length} agent session(s) for the new app`);
for (const period of ['1d', '7d', '30d']) {
  const { stats } = await mgmt.traces.stats({ period });
  say(`traces ${period.padStart(3)}: ${stats.totalTraces} traces, ${stats.totalEvents} events, error rate ${stats.errorRate.toFixed(1)}%, p95 latency ${Math.round(stats.latency.p95)} ms`);
}

try {
  await mgmt.applications.get('6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11');
} catch (error) {
  if (!isKontextError(error)) throw error;
  say(`typed errors: ${error.name} ${error.code} ${error.statusCode} (request id ${error.requestId})`);
}

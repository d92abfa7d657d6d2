// A Cloudflare Worker that uses the packed npm package as the README tells Workers users to:
// the `.wasm` imported by its exported name (a `WebAssembly.Module` in Workers) and handed to
// `init`. Bundled by esbuild with the `workerd` condition and run by workerd (npm-packed.mjs).
// One request: a client before `init` (must say how to initialise), then one call to the
// emulator on loopback; answers with what happened, as JSON.

import wasm from 'kontext-management/wasm/kontext.wasm';
import { ConfigError, KontextManagementClient, createPkceChallenge, init } from 'kontext-management';

export default {
  async fetch(_request, env) {
    const options = {
      baseUrl: env.KONTEXT_BASE_URL,
      credentials: { clientId: env.KONTEXT_CLIENT_ID, clientSecret: env.KONTEXT_CLIENT_SECRET },
    };
    const out = { moduleIsCompiled: wasm instanceof WebAssembly.Module };
    try {
      new KontextManagementClient(options);
      out.beforeInit = 'built';
    } catch (error) {
      out.beforeInit =
        error instanceof ConfigError && /kontext\.wasm/.test(error.message) ? 'config-error' : String(error);
    }
    try {
      await init(wasm);
      const client = new KontextManagementClient(options);
      out.engine = client.userAgent.match(/kontext-management-(node|wasm)\//)?.[1];
      out.userAgent = client.userAgent;
      const { application } = await client.applications.create({ name: 'from-workerd' });
      const { items } = await client.applications.list();
      out.listed = items.some((app) => app.id === application.id);
      out.pkce = (await createPkceChallenge()).codeChallengeMethod;
    } catch (error) {
      out.error = `${error?.name}: ${error?.message}`;
    }
    return Response.json(out);
  },
};

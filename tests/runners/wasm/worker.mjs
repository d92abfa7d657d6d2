// A module worker (no DOM, no window): the package's browser entry must load and work here too,
// as in other worker-style runtimes. browser.mjs starts it from the test page.
self.onmessage = async ({ data: target }) => {
  try {
    const api = await import('/pkg/wasm.mjs');
    const pkce = await api.createPkceChallenge();
    const client = new api.KontextManagementClient({
      baseUrl: target.baseUrl,
      credentials: { clientId: target.clientId, clientSecret: target.clientSecret },
    });
    const page = await client.applications.list({ limit: 1 });
    self.postMessage({ ok: pkce.codeChallengeMethod === 'S256' && Array.isArray(page.items), userAgent: client.userAgent });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error?.stack ?? error) });
  }
};

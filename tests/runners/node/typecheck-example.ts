// Compiled with `tsc --noEmit --strict` (never run): every public method once, results used
// through their declared types, and `@ts-expect-error` lines proving the types are not `any`.

import {
  AbortError,
  ConfigError,
  HttpError,
  KontextError,
  KontextManagementClient,
  NetworkError,
  OAuthError,
  RateLimitError,
  TimeoutError,
  ValidationError,
  buildAuthorizeUrl,
  createPkceChallenge,
  exchangeCode,
  init,
  isKontextError,
  isNetworkError,
  isUnauthorizedError,
  oauth,
  pollDeviceToken,
  refresh,
  startDeviceAuthorization,
} from 'kontext-management';
import type {
  Application,
  ErrorKind,
  ListAll,
  MintedToken,
  Page,
  RequestOptions,
  ScimToken,
  TraceStats,
  VerifiedArtifact,
} from 'kontext-management';

export async function everyMethod(): Promise<void> {
  await init();
  const mgmt = new KontextManagementClient({
    baseUrl: 'https://api.kontext.security',
    credentials: { clientId: 'sa_x', clientSecret: 'secret' },
    apiVersion: 'v1',
    tokenUrl: 'https://api.kontext.security/oauth2/token',
    scopes: ['management:all'],
    audience: 'https://api.kontext.security/api/v1',
    timeoutMs: 10_000,
    maxRetries: 3,
  });
  const user = new KontextManagementClient({ baseUrl: 'https://api.kontext.security', accessToken: 'tok' });
  const logged = new KontextManagementClient({
    baseUrl: 'https://api.kontext.security',
    accessToken: 'tok',
    logger: { debug: (message: string, fields?: Record<string, unknown>) => console.log(message, fields?.requestId) },
    logLevel: 'debug',
  });
  new KontextManagementClient({ baseUrl: 'x', accessToken: 't', logger: console, logLevel: 'off' });
  void logged;
  const controller = new AbortController();
  const options: RequestOptions = {
    timeoutMs: 500,
    maxRetries: 0,
    idempotencyKey: 'k',
    headers: { 'x-a': 'b' },
    signal: controller.signal,
  };

  // Applications
  const page: Page<Application> = await mgmt.applications.list({ limit: 50, cursor: 'c', all: true }, options);
  const next: string | undefined = page.nextCursor;
  const created = await mgmt.applications.create({
    name: 'bot',
    oauth: { type: 'public', redirectUris: ['http://127.0.0.1/cb'] },
  });
  const id: string = created.application.id;
  const secret: string | undefined = created.oauth.clientSecret;
  await mgmt.applications.get(id);
  await mgmt.applications.update(id, { name: 'bot 2', externalAuth: { enabled: false } });
  await mgmt.applications.rotateSecret(id);
  await mgmt.applications.getOAuth(id);
  await mgmt.applications.getOAuthConfig(id);
  await mgmt.applications.updateOAuth(id, { pkceRequired: true });
  await mgmt.applications.updateOAuthConfig(id, { scopes: ['mcp:invoke'] });
  const ids: string[] = (await mgmt.applications.listIntegrations(id)).integrationIds;
  await mgmt.applications.setIntegrations(id, { integrationIds: ids });
  await mgmt.applications.setIntegrations(id, ids);
  await mgmt.applications.attachIntegration(id, 'int');
  await mgmt.applications.detachIntegration(id, 'int');
  const revoked: number = (await mgmt.applications.revokeAllAgentSessions(id)).disconnectedCount;
  const graph = await mgmt.applications.accessGraph({ includePolicy: true });
  const archived: void = await mgmt.applications.archive(id);
  const apps: ListAll<Application> = mgmt.applications.listAll({ limit: 200 }, { signal: controller.signal });
  for await (const app of apps) app.name.toUpperCase();
  for await (const chunk of apps.pages()) chunk.length.toFixed();

  // Integrations
  const integration = (await mgmt.integrations.create({ name: 'GitHub', url: 'https://x', authMode: 'oauth' }))
    .integration;
  await mgmt.integrations.list({ limit: 10 });
  for await (const i of mgmt.integrations.listAll()) i.authMode.toString();
  await mgmt.integrations.get(integration.id);
  await mgmt.integrations.update(integration.id, { serverToken: 't', authMode: 'server_token' });
  await mgmt.integrations.validate(integration.id);
  await mgmt.integrations.getOAuthConfig(integration.id);
  await mgmt.integrations.setOAuthConfig(integration.id, {
    clientId: 'c',
    clientSecret: 's',
    authorizationUrl: 'a',
    tokenUrl: 't',
  });
  await mgmt.integrations.deleteOAuthConfig(integration.id);
  await mgmt.integrations.addConnection(integration.id, { token: 't', displayName: 'me' });
  const status: string = (await mgmt.integrations.getConnectionStatus(integration.id)).connection.status;
  await mgmt.integrations.revokeConnection(integration.id);
  await mgmt.integrations.archive(integration.id);

  // Service accounts
  const sa = await mgmt.serviceAccounts.create({ name: 'ci', description: 'nightly' });
  const saSecret: string = sa.credentials.clientSecret;
  await mgmt.serviceAccounts.list();
  for await (const s of mgmt.serviceAccounts.listAll({ limit: 5 })) s.createdAt.trim();
  await mgmt.serviceAccounts.get(sa.serviceAccount.id);
  await mgmt.serviceAccounts.rotateSecret(sa.serviceAccount.id);
  await mgmt.serviceAccounts.revoke(sa.serviceAccount.id);
  (await mgmt.serviceAccounts.findByName('ci')).items.map((s) => s.id);
  (await mgmt.applications.findByName('x')).items.map((a) => a.name);

  // The admin surface (issue 23).
  const before: ScimToken[] = [];
  for await (const t of mgmt.scimTokens.listAll({ limit: 50 })) before.push(t);
  const minted: MintedToken = await mgmt.scimTokens.create({ label: 'entra-prod' });
  minted.token.trim();
  (await mgmt.scimTokens.reconcile(before, 'entra-prod')).items.map((t) => t.sha256);
  await mgmt.scimTokens.revoke(minted.sha256);
  const directoryStatus = await mgmt.directory.getStatus();
  directoryStatus.userCount?.toFixed();
  (await mgmt.directoryGroups.list({ limit: 5 })).items.map((g) => g.displayName);
  for await (const row of mgmt.directoryReconciliation.listAll()) row.state.trim();
  const install = await mgmt.installTokens.create({ label: 'ci' });
  (await mgmt.installTokens.reconcile([], 'ci')).items.length.toFixed();
  await mgmt.installTokens.revoke(install.sha256);
  const latest = await mgmt.releases.latest();
  latest.artifacts.map((a) => a.sha256);
  (await mgmt.releases.getDownloadUrl(latest.version, 'package')).url.trim();
  const artifact: VerifiedArtifact = await mgmt.releases.download(latest.version, 'install_script');
  artifact.content.trim();
  artifact.size.toFixed();
  (await mgmt.organization.getAgentAccess()).areas?.['policies']?.trim();

  // Agent sessions, traces, events
  const sessions = await mgmt.agentSessions.list(id, { status: 'all', limit: 10, includeInactive: true });
  await mgmt.agentSessions.get(id, sessions.items[0].id);
  await mgmt.agentSessions.revokeAll(id);
  const traces = await mgmt.traces.list({ applicationId: id, limit: 20, offset: 40 });
  const ended: string | null = traces.items[0].endedAt;
  for await (const t of mgmt.traces.listAll({ userId: 'u' })) t.traceId.trim();
  const detail = await mgmt.traces.get(traces.items[0].traceId, { userId: 'u' });
  detail.events.map((e) => e.status);
  const stats: TraceStats = (await mgmt.traces.stats({ period: '7d' })).stats;
  stats.latency.p95.toFixed();
  await mgmt.events.list({ limit: 5 });

  // Policy and decisions
  const policy = await mgmt.policy.get();
  await mgmt.policy.update({ policyText: 'permit(principal, action, resource);', etag: policy.etag });
  const validation = await mgmt.policy.validate({ policyText: 'forbid(principal, action, resource);' });
  validation.diagnostics.map((d) => d.line ?? 0);
  const deployment = await mgmt.policy.getDeployment();
  await mgmt.policy.updateDeployment({
    policyVersionId: policy.policy.policyVersionId,
    rolloutMode: 'observe',
    etag: deployment.etag,
  });
  const settings = await mgmt.policy.getSettings();
  await mgmt.policy.updateSettings({ expectedUpdatedAt: settings.settings.updatedAt, payloadCaptureMode: 'metadata' });
  const templates = await mgmt.policy.listRuleTemplates();
  const acted = await mgmt.policy.applyAction({ action: 'add', templateId: templates.items[0].id }, deployment.etag ?? '');
  const companions: string[] = acted.result.companionPolicyIds;
  await mgmt.policy.applyAction({ action: 'enforce', policyId: acted.result.policyId }, acted.etag ?? '');
  const versions = await mgmt.policy.listVersions({ limit: 10 });
  for await (const version of mgmt.policy.listAll({ limit: 50 })) version.origin?.length;
  if (versions.items.length > 0) (await mgmt.policy.getVersion(versions.items[0].id)).policyText.length;
  const observing = acted.result.observingVersionId ?? '';
  const report = await mgmt.policy.replay({ enforcingVersionId: observing, observingVersionId: observing, days: 7 });
  report.policies.map((p) => p.wouldBlock + p.needsCapture);
  (await mgmt.policy.blocked({ days: 7 })).items.map((b) => b.count);
  companions.join(',');
  const decisions = await mgmt.decisions.list({ decisionResult: 'deny', limit: 10 });
  await mgmt.decisions.get(decisions.items[0].id);
  for await (const d of mgmt.decisions.listAll({ riskLevel: 'high' })) d.occurredAt.trim();

  // Client
  await mgmt.refreshToken();
  await mgmt.clearToken();
  const patient: KontextManagementClient = mgmt.withOptions({ timeoutMs: 120_000, maxRetries: 5 });
  const agent: string = patient.userAgent;

  // OAuth helpers, as named exports and as a namespace
  const pkce = await createPkceChallenge();
  const { url, state } = await buildAuthorizeUrl({
    baseUrl: 'https://api.kontext.security',
    clientId: 'app_x',
    redirectUri: 'http://127.0.0.1:8976/callback',
    codeChallenge: pkce.codeChallenge,
  });
  const tokens = await exchangeCode({
    baseUrl: 'https://api.kontext.security',
    clientId: 'app_x',
    code: 'c',
    redirectUri: url,
    codeVerifier: pkce.codeVerifier,
  });
  await refresh({
    baseUrl: 'https://api.kontext.security',
    clientId: 'app_x',
    refreshToken: tokens.refreshToken ?? state,
  });
  await oauth.createPkceChallenge({ signal: controller.signal });
  // The device grant: the start's answer is the poll's argument as it is.
  const device = await startDeviceAuthorization({ baseUrl: 'https://api.kontext.security', clientId: 'app_x' });
  const shown: string = device.verificationUriComplete ?? `${device.verificationUri} ${device.userCode}`;
  const deviceTokens = await pollDeviceToken(device, { signal: controller.signal });
  await oauth.pollDeviceToken({ baseUrl: shown, clientId: 'app_x', deviceCode: deviceTokens.accessToken, interval: 0.5 });

  // Errors
  try {
    await user.applications.list();
  } catch (error) {
    if (isKontextError(error)) {
      const kind: ErrorKind = error.kind;
      const code: string = error.code;
      const httpStatus: number | undefined = error.statusCode;
      const requestId: string | undefined = error.requestId;
      const wait: number | undefined = error.retryAfter;
      const missing: string[] | undefined = error.missingScopes;
      void [kind, code, httpStatus, requestId, wait, missing];
    }
    if (error instanceof ValidationError) error.argument?.trim();
    if (error instanceof OAuthError) error.errorCode?.trim();
    if (error instanceof HttpError) error.body?.trim();
    if (error instanceof RateLimitError || error instanceof TimeoutError || error instanceof AbortError) void error;
    if (isNetworkError(error)) {
      const network: NetworkError = error;
      void network;
    }
    if (isUnauthorizedError(error) || error instanceof ConfigError)
      throw new KontextError('again', { kind: 'authentication' });
  }
  void [next, secret, revoked, graph.nodes, archived, status, saSecret, ended, agent];

  // @ts-expect-error: ids are strings
  await mgmt.applications.get(42);
  // @ts-expect-error: create needs a name
  await mgmt.applications.create({ description: 'no name' });
  // @ts-expect-error: not a level
  new KontextManagementClient({ baseUrl: 'x', accessToken: 't', logLevel: 'verbose' });
  // @ts-expect-error: credentials and accessToken exclude each other
  new KontextManagementClient({ baseUrl: 'x', accessToken: 't', credentials: { clientId: 'a', clientSecret: 'b' } });
  // @ts-expect-error: results are typed, not any
  const wrong: number = (await mgmt.applications.get(id)).application.name;
  // @ts-expect-error: unknown resource
  mgmt.widgets.list();
  void wrong;
}

// Types of @kontext/management. One hand-written file for both engines (native addon and
// WebAssembly): they run the same JS layer over the same Rust core, so they share every type.
// Wire names are camelCase; fields marked optional may be absent from the API's answer.

// ---------------------------------------------------------------------------------------------
// Common

/** A string enum that may grow: known values autocomplete, newer server values still type-check. */
export type OpenEnum<T extends string> = T | (string & {});

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The parts of `AbortSignal` the SDK uses (so neither the DOM lib nor @types/node is required). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** One page of a cursor list. */
export interface Page<T> {
  items: T[];
  /** Cursor of the next page; absent on the last page. */
  nextCursor?: string;
}

/** Items of a list endpoint without cursors. */
export interface ItemList<T> {
  items: T[];
}

/** What `listAll()` returns: lazily fetched items, or `.pages()` for one array per page. */
export interface ListAll<T> extends AsyncIterable<T> {
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined>;
  pages(): AsyncGenerator<T[], void, undefined>;
}

/** Defaults for every call of a client (`withOptions`). */
export interface RequestDefaults {
  /** Timeout of one attempt in milliseconds. */
  timeoutMs?: number;
  /** Retries after the first attempt (0–10). */
  maxRetries?: number;
  /** Sent as `Idempotency-Key`; makes a POST safe to retry. */
  idempotencyKey?: string;
  /** Extra headers (not `authorization`, `host`, `content-length`). */
  headers?: Record<string, string>;
}

/** Per-call options, the last argument of every method. */
export interface RequestOptions extends RequestDefaults {
  /** Aborting cancels the request (in Rust) and rejects with an `AbortError`. */
  signal?: AbortSignalLike;
}

// ---------------------------------------------------------------------------------------------
// Client

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

interface BaseClientConfig {
  /** API origin, e.g. `https://api.kontext.security` (a trailing `/api/v1` is accepted). */
  baseUrl: string;
  /** Default `v1`. */
  apiVersion?: string;
  /** Default `{baseUrl}/oauth2/token`. */
  tokenUrl?: string;
  /** Default `["management:all"]`. */
  scopes?: string[];
  /** Default `{baseUrl}/api/{apiVersion}`. */
  audience?: string;
  /** Timeout of one attempt in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2, at most 10). */
  maxRetries?: number;
  /** Headers sent with every API request. */
  headers?: Record<string, string>;
  /** Allow plain `http://` to a host that is not loopback (off: credentials never travel in clear). */
  allowInsecureHttp?: boolean;
  /** Appended to the user agent. */
  userAgent?: string;
  /**
   * Where this client's log records go (default `console`): each request's outcome with its
   * request id, retries and token renewals, at `debug`. Called as `logger.debug(message, fields)`,
   * e.g. `('[kontext] response', { method: 'GET', path: '/applications', status: 200, requestId })`.
   * Records never contain credentials or tokens.
   */
  logger?: KontextLogger;
  /** The least severe level passed to `logger` (default `warn`, or `KONTEXT_LOG` in Node). */
  logLevel?: LogLevel;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** A console-compatible logger; a missing method drops the records of its level. */
export interface KontextLogger {
  debug?(message: string, fields?: Record<string, JsonValue>): void;
  info?(message: string, fields?: Record<string, JsonValue>): void;
  warn?(message: string, fields?: Record<string, JsonValue>): void;
  error?(message: string, fields?: Record<string, JsonValue>): void;
}

/** The official client's config, plus `accessToken` instead of credentials and our extensions. */
export type KontextManagementClientConfig = BaseClientConfig &
  ({ credentials: ClientCredentials; accessToken?: undefined } | { accessToken: string; credentials?: undefined });

export declare class KontextManagementClient {
  /** @throws {ConfigError} when the config is unusable (nothing is sent yet). */
  constructor(config: KontextManagementClientConfig);
  readonly applications: ApplicationsResource;
  readonly integrations: IntegrationsResource;
  readonly serviceAccounts: ServiceAccountsResource;
  readonly agentSessions: AgentSessionsResource;
  readonly traces: TracesResource;
  readonly events: EventsResource;
  readonly policy: PolicyResource;
  readonly decisions: DecisionsResource;
  /** Mints a new access token now (client credentials only). */
  refreshToken(options?: RequestOptions): Promise<void>;
  /** Forgets the cached access token; the next call mints a new one. */
  clearToken(): Promise<void>;
  /** A client applying `options` to every call, sharing this one's token cache and connections. */
  withOptions(options: RequestDefaults): KontextManagementClient;
  /** The user agent sent with every request. */
  readonly userAgent: string;
}

// ---------------------------------------------------------------------------------------------
// Applications

export type OAuthClientType = OpenEnum<'public' | 'confidential'>;

export interface Application {
  id: string;
  name: string;
  description?: string;
  /** OAuth client id (`app_<uuid>`). */
  clientId?: string;
  createdAt: string;
  updatedAt: string;
  archivedAt?: string;
  sessions?: ApplicationSessionCounts;
  externalAuth?: ExternalAuth;
}

export interface ApplicationSessionCounts {
  active: number;
  idle: number;
  live: number;
  total: number;
}

export interface ApplicationOAuth {
  type: OAuthClientType;
  clientId: string;
  /** Only in the answers of create and rotateSecret (confidential apps): store it at once. */
  clientSecret?: string;
  pkceRequired: boolean;
  scopes: string[];
  redirectUris: string[];
  allowedResources: string[];
  authorizationUrl: string;
  tokenUrl: string;
  gatewayUrl: string;
}

/** "Bring your own auth": partner-issued JWTs accepted for a confidential application. */
export interface ExternalAuth {
  enabled?: boolean;
  issuer?: string;
  jwksUrl?: string;
  audience?: string;
  allowedAlgorithms?: string[];
  requiredClaims?: { [claim: string]: JsonValue };
  allowedReturnUrls?: string[];
  maxTokenAgeSeconds?: number;
  /** Write-only. */
  partnerApiKey?: string;
  /** Read-only. */
  partnerApiKeyConfigured?: boolean;
}

export interface CreateApplicationOAuth {
  type?: OAuthClientType;
  redirectUris?: string[];
  pkceRequired?: boolean;
  scopes?: string[];
  allowedResources?: string[];
}

export interface CreateApplication {
  name: string;
  description?: string;
  oauth?: CreateApplicationOAuth;
}

export interface UpdateApplication {
  name?: string;
  description?: string;
  externalAuth?: ExternalAuth;
}

export interface UpdateApplicationOAuth {
  type?: OAuthClientType;
  pkceRequired?: boolean;
  scopes?: string[];
  redirectUris?: string[];
  allowedResources?: string[];
}

export interface SetIntegrations {
  integrationIds: string[];
}

export interface ListApplicationsParams {
  /** 1–200 (server default 50). */
  limit?: number;
  cursor?: string;
  /** The whole organization instead of the caller's own applications. */
  all?: boolean;
}

export interface AccessGraphParams {
  includePolicy?: boolean;
}

export interface ApplicationResponse {
  application: Application;
}

export interface CreatedApplication {
  application: Application;
  oauth: ApplicationOAuth;
}

export interface OAuthResponse {
  oauth: ApplicationOAuth;
}

export interface IntegrationIds {
  integrationIds: string[];
}

export interface RevokedSessions {
  success: boolean;
  disconnectedCount: number;
}

export interface AccessGraphNode {
  id: string;
  type: OpenEnum<'application' | 'integration'>;
  name: string;
}

export interface AccessGraphEdge {
  source: string;
  target: string;
  type: string;
}

export interface AccessGraph {
  nodes: AccessGraphNode[];
  edges: AccessGraphEdge[];
}

export interface ApplicationsResource {
  list(params?: ListApplicationsParams, options?: RequestOptions): Promise<Page<Application>>;
  listAll(params?: Omit<ListApplicationsParams, 'cursor'>, options?: RequestOptions): ListAll<Application>;
  get(id: string, options?: RequestOptions): Promise<ApplicationResponse>;
  create(data: CreateApplication, options?: RequestOptions): Promise<CreatedApplication>;
  update(id: string, data: UpdateApplication, options?: RequestOptions): Promise<ApplicationResponse>;
  archive(id: string, options?: RequestOptions): Promise<void>;
  rotateSecret(id: string, options?: RequestOptions): Promise<OAuthResponse>;
  getOAuth(id: string, options?: RequestOptions): Promise<OAuthResponse>;
  /** Alias of `getOAuth`. */
  getOAuthConfig(id: string, options?: RequestOptions): Promise<OAuthResponse>;
  updateOAuth(id: string, data: UpdateApplicationOAuth, options?: RequestOptions): Promise<OAuthResponse>;
  /** Alias of `updateOAuth`. */
  updateOAuthConfig(id: string, data: UpdateApplicationOAuth, options?: RequestOptions): Promise<OAuthResponse>;
  listIntegrations(id: string, options?: RequestOptions): Promise<IntegrationIds>;
  /** Replaces the set of attached integrations (`{ integrationIds }` or the bare id list). */
  setIntegrations(id: string, data: SetIntegrations | string[], options?: RequestOptions): Promise<IntegrationIds>;
  attachIntegration(id: string, integrationId: string, options?: RequestOptions): Promise<void>;
  detachIntegration(id: string, integrationId: string, options?: RequestOptions): Promise<void>;
  revokeAllAgentSessions(id: string, options?: RequestOptions): Promise<RevokedSessions>;
  accessGraph(params?: AccessGraphParams, options?: RequestOptions): Promise<AccessGraph>;
}

// ---------------------------------------------------------------------------------------------
// Integrations

export type AuthMode = OpenEnum<'oauth' | 'user_token' | 'server_token' | 'none'>;
export type IntegrationCategory = OpenEnum<'gateway_remote_mcp' | 'internal_mcp_credentials'>;
export type ValidationStatus = OpenEnum<'ok' | 'failed'>;
export type ConnectionStatus = OpenEnum<'connected' | 'disconnected'>;

export interface IntegrationOAuth {
  provider?: string;
  issuer?: string;
  scopes?: string[];
}

export interface Integration {
  id: string;
  name: string;
  url: string;
  authMode: AuthMode;
  category: IntegrationCategory;
  capabilities?: JsonValue;
  oauth?: IntegrationOAuth;
  credentialSchema?: JsonValue;
  validationStatus?: ValidationStatus;
  serverTokenConfigured: boolean;
  archivedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export interface CreateIntegration {
  name: string;
  url: string;
  category?: IntegrationCategory;
  authMode?: AuthMode;
  oauth?: IntegrationOAuth;
  capabilities?: JsonValue;
  credentialSchema?: JsonValue;
  /** Required by `authMode: "server_token"`; never returned. */
  serverToken?: string;
  /** Re-create an archived integration of the same name. */
  confirmUnarchive?: boolean;
}

export interface UpdateIntegration {
  name?: string;
  url?: string;
  authMode?: AuthMode;
  oauth?: IntegrationOAuth;
  capabilities?: JsonValue;
  credentialSchema?: JsonValue;
  serverToken?: string;
  confirmUnarchive?: boolean;
}

export interface ListIntegrationsParams {
  limit?: number;
  cursor?: string;
}

export interface IntegrationResponse {
  integration: Integration;
}

export interface Validation {
  status: ValidationStatus;
  message?: string;
  checkedAt: string;
}

export interface ValidationResponse {
  validation: Validation;
}

export interface IntegrationOAuthConfig {
  clientId: string;
  clientSecretConfigured: boolean;
  authorizationUrl: string;
  tokenUrl: string;
  scopes: string[];
}

export interface IntegrationOAuthConfigResponse {
  oauth: IntegrationOAuthConfig;
}

export interface SetIntegrationOAuthConfig {
  clientId: string;
  clientSecret: string;
  authorizationUrl: string;
  tokenUrl: string;
  scopes?: string[];
}

export interface AddConnection {
  token: string;
  displayName?: string;
  expiresAt?: string;
}

export interface Connection {
  status: ConnectionStatus;
  displayName?: string;
  expiresAt?: string;
  connectedAt?: string;
}

export interface ConnectionResponse {
  connection: Connection;
}

export interface IntegrationsResource {
  list(params?: ListIntegrationsParams, options?: RequestOptions): Promise<Page<Integration>>;
  listAll(params?: Omit<ListIntegrationsParams, 'cursor'>, options?: RequestOptions): ListAll<Integration>;
  get(id: string, options?: RequestOptions): Promise<IntegrationResponse>;
  create(data: CreateIntegration, options?: RequestOptions): Promise<IntegrationResponse>;
  update(id: string, data: UpdateIntegration, options?: RequestOptions): Promise<IntegrationResponse>;
  archive(id: string, options?: RequestOptions): Promise<void>;
  validate(id: string, options?: RequestOptions): Promise<ValidationResponse>;
  getOAuthConfig(id: string, options?: RequestOptions): Promise<IntegrationOAuthConfigResponse>;
  setOAuthConfig(
    id: string,
    data: SetIntegrationOAuthConfig,
    options?: RequestOptions,
  ): Promise<IntegrationOAuthConfigResponse>;
  deleteOAuthConfig(id: string, options?: RequestOptions): Promise<void>;
  addConnection(id: string, data: AddConnection, options?: RequestOptions): Promise<ConnectionResponse>;
  getConnectionStatus(id: string, options?: RequestOptions): Promise<ConnectionResponse>;
  revokeConnection(id: string, options?: RequestOptions): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Service accounts

export interface ServiceAccount {
  id: string;
  name: string;
  description?: string;
  createdAt: string;
  actingUserId?: string;
  archivedAt?: string;
}

export interface ServiceAccountCredentials {
  /** `sa_<uuid>`. */
  clientId: string;
  /** Shown once (create and rotateSecret): store it at once. */
  clientSecret: string;
}

export interface CreateServiceAccount {
  name: string;
  description?: string;
}

export interface ListServiceAccountsParams {
  limit?: number;
  cursor?: string;
}

export interface ServiceAccountResponse {
  serviceAccount: ServiceAccount;
}

export interface CreatedServiceAccount {
  serviceAccount: ServiceAccount;
  credentials: ServiceAccountCredentials;
}

export interface CredentialsResponse {
  credentials: ServiceAccountCredentials;
}

export interface ServiceAccountsResource {
  list(params?: ListServiceAccountsParams, options?: RequestOptions): Promise<Page<ServiceAccount>>;
  listAll(params?: Omit<ListServiceAccountsParams, 'cursor'>, options?: RequestOptions): ListAll<ServiceAccount>;
  get(id: string, options?: RequestOptions): Promise<ServiceAccountResponse>;
  create(data: CreateServiceAccount, options?: RequestOptions): Promise<CreatedServiceAccount>;
  rotateSecret(id: string, options?: RequestOptions): Promise<CredentialsResponse>;
  revoke(id: string, options?: RequestOptions): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Agent sessions

export type SessionStatus = OpenEnum<'active' | 'disconnected'>;
export type DerivedSessionStatus = OpenEnum<'active' | 'idle' | 'expired' | 'disconnected'>;

export interface AgentSession {
  id: string;
  name: string;
  status: SessionStatus;
  derivedStatus: DerivedSessionStatus;
  tokenExpiresAt?: string;
  lastActiveAt?: string;
  connectedAt?: string;
  disconnectedAt?: string;
  createdAt: string;
  agentId: string;
  organizationId: string;
  hostname?: string;
  userAgent?: string;
  clientInfo?: JsonValue;
}

export interface ListSessionsParams {
  status?: OpenEnum<'active' | 'inactive' | 'all'>;
  /** Server default 100. */
  limit?: number;
  includeInactive?: boolean;
}

export interface SessionResponse {
  session: AgentSession;
}

export interface AgentSessionsResource {
  list(applicationId: string, params?: ListSessionsParams, options?: RequestOptions): Promise<ItemList<AgentSession>>;
  get(applicationId: string, sessionId: string, options?: RequestOptions): Promise<SessionResponse>;
  revokeAll(applicationId: string, options?: RequestOptions): Promise<RevokedSessions>;
}

// ---------------------------------------------------------------------------------------------
// Traces and events

export type EventStatus = OpenEnum<'ok' | 'warn' | 'error_remote' | 'error_proxy' | 'error_auth'>;
export type StatsPeriod = OpenEnum<'1d' | '7d' | '30d' | '24h'>;

export interface Trace {
  traceId: string;
  sessionId: string;
  startedAt: string;
  /** `null` while the trace is open. */
  endedAt: string | null;
  eventCount: number;
  okCount: number;
  warnCount: number;
  errorCount: number;
  agentId: string;
  agentName?: string;
  ownerUserId?: string;
  ownerEmail?: string;
  agentSessionId?: string;
  agentSessionName?: string;
}

export interface TraceEvent {
  id: string;
  createdAt: string;
  sessionId: string;
  agentId: string;
  traceId?: string;
  apiKeyId?: string;
  eventType: string;
  status: EventStatus;
  durationMs?: number;
  integrationId?: string;
  toolName?: string;
  errorMessage?: string;
  bytesIn?: number;
  bytesOut?: number;
  requestJson?: JsonValue;
  responseJson?: JsonValue;
  parentEventId?: string;
  agentSessionId?: string;
}

export interface TraceDetail {
  trace: Trace;
  events: TraceEvent[];
}

export interface TraceStats {
  totalTraces: number;
  totalEvents: number;
  eventCounts: { [status: string]: number };
  errorRate: number;
  latency: { p50: number; p95: number; p99: number };
  bytesTransferred: { in: number; out: number };
  errorsByType: Array<{ type: string; count: number }>;
  topTools: Array<{ toolName: string; count: number }>;
}

export interface TraceStatsResponse {
  stats: TraceStats;
}

export interface ListTracesParams {
  userId?: string;
  sessionId?: string;
  agentId?: string;
  applicationId?: string;
  /** 1–200 (server default 50). */
  limit?: number;
  offset?: number;
}

export interface GetTraceParams {
  userId?: string;
}

export interface TraceStatsParams {
  period?: StatsPeriod;
  userId?: string;
}

export interface ListEventsParams {
  limit?: number;
}

export interface TracesResource {
  list(params?: ListTracesParams, options?: RequestOptions): Promise<ItemList<Trace>>;
  listAll(params?: Omit<ListTracesParams, 'offset'>, options?: RequestOptions): ListAll<Trace>;
  get(traceId: string, params?: GetTraceParams, options?: RequestOptions): Promise<TraceDetail>;
  stats(params?: TraceStatsParams, options?: RequestOptions): Promise<TraceStatsResponse>;
}

export interface EventsResource {
  list(params?: ListEventsParams, options?: RequestOptions): Promise<ItemList<TraceEvent>>;
}

// ---------------------------------------------------------------------------------------------
// Policy and decisions

export type DiagnosticSeverity = OpenEnum<'error' | 'warning'>;
export type RolloutMode = OpenEnum<'observe' | 'enforce' | 'disabled'>;
export type PayloadCaptureMode = OpenEnum<'none' | 'metadata' | 'full'>;
export type DecisionResult = OpenEnum<'allow' | 'deny'>;
export type RiskLevel = OpenEnum<'low' | 'medium' | 'high' | 'critical'>;

export interface Policy {
  policyText: string;
  policyVersionId: string;
  updatedAt: string;
}

export interface PolicyResponse {
  policy: Policy;
  /** Pass back as `etag` on the next update (optimistic concurrency). */
  etag?: string;
}

export interface UpdatePolicy {
  policyText: string;
  /** From the last read; without it the update only succeeds when no policy exists yet. */
  etag?: string;
}

export interface ValidatePolicy {
  policyText: string;
}

export interface PolicyDiagnostic {
  severity: DiagnosticSeverity;
  message: string;
  line?: number;
  column?: number;
}

export interface PolicyValidation {
  valid: boolean;
  diagnostics: PolicyDiagnostic[];
}

export interface Deployment {
  policyVersionId: string | null;
  rolloutMode: RolloutMode;
  updatedAt: string;
}

export interface DeploymentResponse {
  deployment: Deployment;
  etag?: string;
}

export interface UpdateDeployment {
  policyVersionId?: string | null;
  rolloutMode: RolloutMode;
  etag?: string;
}

export interface PolicySettings {
  policyEnabled: boolean;
  payloadCaptureMode: PayloadCaptureMode;
  updatedAt: string;
}

export interface SettingsResponse {
  settings: PolicySettings;
}

export interface UpdateSettings {
  /** `updatedAt` of the last read; a stale value fails with 412. */
  expectedUpdatedAt: string;
  policyEnabled?: boolean;
  payloadCaptureMode?: PayloadCaptureMode;
}

export interface PolicyResource {
  get(options?: RequestOptions): Promise<PolicyResponse>;
  update(data: UpdatePolicy, options?: RequestOptions): Promise<PolicyResponse>;
  validate(data: ValidatePolicy, options?: RequestOptions): Promise<PolicyValidation>;
  getDeployment(options?: RequestOptions): Promise<DeploymentResponse>;
  updateDeployment(data: UpdateDeployment, options?: RequestOptions): Promise<DeploymentResponse>;
  getSettings(options?: RequestOptions): Promise<SettingsResponse>;
  updateSettings(data: UpdateSettings, options?: RequestOptions): Promise<SettingsResponse>;
}

export interface Decision {
  id: string;
  toolName: string;
  sessionId?: string;
  installationId?: string;
  occurredAt: string;
  decisionResult: DecisionResult;
  decisionCategory?: string;
  reasonCode?: string;
  provider?: string;
  operation?: string;
  riskLevel?: RiskLevel;
}

export interface ListDecisionsParams {
  provider?: string;
  decisionResult?: DecisionResult;
  decisionCategory?: string;
  reasonCode?: string;
  riskLevel?: RiskLevel;
  installationId?: string;
  sessionId?: string;
  /** ISO 8601. */
  from?: string;
  /** ISO 8601. */
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface DecisionResponse {
  decision: Decision;
}

export interface DecisionsResource {
  list(params?: ListDecisionsParams, options?: RequestOptions): Promise<Page<Decision>>;
  listAll(params?: Omit<ListDecisionsParams, 'cursor'>, options?: RequestOptions): ListAll<Decision>;
  get(id: string, options?: RequestOptions): Promise<DecisionResponse>;
}

// ---------------------------------------------------------------------------------------------
// User tokens: Authorization Code + PKCE

export interface PkceChallenge {
  /** Keep it secret until the code exchange. */
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

export interface AuthorizeUrlRequest {
  baseUrl: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  /** Default `["management:all", "offline_access"]`. */
  scopes?: string[];
  /** Generated when absent; compare it with the `state` on the redirect. */
  state?: string;
}

export interface AuthorizeUrl {
  url: string;
  state: string;
}

export interface ExchangeCodeRequest {
  baseUrl: string;
  clientId: string;
  code: string;
  redirectUri: string;
  codeVerifier: string;
  /** Confidential clients only. */
  clientSecret?: string;
  /** The redirect's `iss` parameter, when present (RFC 9207): another issuer is refused before sending. */
  iss?: string;
}

export interface RefreshRequest {
  baseUrl: string;
  clientId: string;
  refreshToken: string;
  clientSecret?: string;
}

export interface UserTokens {
  accessToken: string;
  tokenType: string;
  expiresIn?: number;
  /** May rotate: keep the newest. */
  refreshToken?: string;
  scope?: string;
}

export interface OAuthCallOptions {
  signal?: AbortSignalLike;
}

export declare function createPkceChallenge(options?: OAuthCallOptions): Promise<PkceChallenge>;
/** Reads the authorization endpoint from `{baseUrl}/.well-known/oauth-authorization-server`. */
export declare function buildAuthorizeUrl(
  request: AuthorizeUrlRequest,
  options?: OAuthCallOptions,
): Promise<AuthorizeUrl>;
export declare function exchangeCode(request: ExchangeCodeRequest, options?: OAuthCallOptions): Promise<UserTokens>;
export declare function refresh(request: RefreshRequest, options?: OAuthCallOptions): Promise<UserTokens>;

export declare const oauth: {
  readonly createPkceChallenge: typeof createPkceChallenge;
  readonly buildAuthorizeUrl: typeof buildAuthorizeUrl;
  readonly exchangeCode: typeof exchangeCode;
  readonly refresh: typeof refresh;
};

// ---------------------------------------------------------------------------------------------
// Engine loading

/**
 * Loads the WebAssembly engine; with the native addon a no-op, so portable code may always call
 * it. Importing the package already initialises the wasm engine where the `.wasm` next to the
 * module can be fetched or read; elsewhere (some bundlers, edge runtimes) pass a
 * `WebAssembly.Module`, its bytes, a `Response` or a URL once, before creating a client.
 */
export declare function init(source?: string | object): Promise<void>;

// ---------------------------------------------------------------------------------------------
// Errors

export type ErrorKind =
  | 'bad_request'
  | 'authentication'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'rate_limited'
  | 'server_error'
  | 'api_error'
  | 'oauth'
  | 'connection'
  | 'timeout'
  | 'decode'
  | 'invalid_input'
  | 'config'
  | 'aborted'
  | 'internal';

/** The data every engine attaches to a failure (`kontext::ErrorDetails`). */
export interface ErrorFields {
  kind?: ErrorKind;
  code?: string;
  status?: number;
  requestId?: string;
  retryAfter?: number;
  missingScopes?: string[];
  argument?: string;
  oauthError?: string;
  oauthErrorDescription?: string;
  body?: string;
  docsUrl?: string;
}

export declare class KontextError extends Error {
  constructor(message: string, fields?: ErrorFields, options?: { cause?: unknown });
  /** What failed; the thing to branch on. */
  kind: ErrorKind;
  /** `kontext_not_found`, `kontext_rate_limited`, … (the official client's codes). */
  code: string;
  /** HTTP status, when a response arrived. */
  statusCode?: number;
  /** `x-request-id` of the response, to quote in bug reports. */
  requestId?: string;
  /** Seconds the server asked to wait (429/503). */
  retryAfter?: number;
  /** Scopes the token lacked (403). */
  missingScopes?: string[];
  /** `https://docs.kontext.security/errors/<code>`. */
  docsUrl: string;
  toJSON(): { [key: string]: unknown };
}

export declare class HttpError extends KontextError {
  /** The error body as received (truncated). */
  body?: string;
}
export declare class BadRequestError extends HttpError {}
export declare class AuthenticationError extends HttpError {}
export declare class PermissionDeniedError extends HttpError {}
export declare class NotFoundError extends HttpError {}
export declare class ConflictError extends HttpError {}
export declare class PreconditionFailedError extends HttpError {}
export declare class RateLimitError extends HttpError {}
export declare class InternalServerError extends HttpError {}
export declare class NetworkError extends KontextError {}
export declare class TimeoutError extends NetworkError {}
export declare class OAuthError extends KontextError {
  /** The OAuth `error`, e.g. `invalid_client`. */
  errorCode?: string;
  /** The OAuth `error_description`. */
  errorDescription?: string;
}
export declare class ConfigError extends KontextError {}
export declare class ValidationError extends KontextError {
  /** The rejected argument, e.g. `id`, `limit`, `name`. */
  argument?: string;
}
export declare class DecodeError extends KontextError {}
export declare class AbortError extends KontextError {}
export declare class InternalError extends KontextError {}

export declare function isKontextError(value: unknown): value is KontextError;
/** Transport failures and timeouts. */
export declare function isNetworkError(value: unknown): value is NetworkError;
/** A 401 from the API or the token endpoint. */
export declare function isUnauthorizedError(value: unknown): value is KontextError;

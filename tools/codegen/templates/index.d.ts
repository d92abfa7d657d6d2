// Types of kontext-management, one file for both engines (native addon and WebAssembly): they run
// the same JS layer over the same Rust core, so they share every type. Wire names are camelCase;
// fields marked optional may be absent from the API's answer. The models and the resources' methods
// come from the Rust models and the API description; the rest is the frame in
// tools/codegen/templates/index.d.ts.

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
  /** The largest response body read, in bytes (default 64 MiB); a longer one fails with a `decode` error. */
  maxResponseBytes?: number;
  /** Appended to the user agent. */
  userAgent?: string;
  /**
   * Where this client's log records go (default `console`): each request's outcome with its
   * request id, retries and token renewals, at `debug`. Called as `logger.debug(message, fields)`,
   * e.g. `('[kontext_management] response', { method: 'GET', path: '/applications', status: 200, requestId })`.
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
  // @codegen:client-resources
  /** Mints a new access token now (client credentials only). */
  refreshToken(options?: RequestOptions): Promise<void>;
  /** Forgets the cached access token; the next call mints a new one. */
  clearToken(): Promise<void>;
  /** A client applying `options` to every call, sharing this one's token cache and connections. */
  withOptions(options: RequestDefaults): KontextManagementClient;
  /** The user agent sent with every request. */
  readonly userAgent: string;
}

/** Per-call options of the `oauth.*` helpers. */
export interface OAuthCallOptions {
  signal?: AbortSignalLike;
}

/** The official client's name of `ExchangeCode`. */
export type ExchangeCodeRequest = ExchangeCode;
/** The official client's name of `RefreshUserToken`. */
export type RefreshRequest = RefreshUserToken;

// @codegen:api
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
  | 'precondition_required'
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

/** The data every engine attaches to a failure (`kontext_management::ErrorDetails`). */
export interface ErrorFields {
  kind?: ErrorKind;
  code?: string;
  status?: number;
  requestId?: string;
  retryAfter?: number;
  missingScopes?: string[];
  hint?: string;
  diagnostics?: unknown;
  outcomeUnknown?: boolean;
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
  /** Scopes the token lacked (a 403 `insufficient_scope` only). */
  missingScopes?: string[];
  /** The server's advice on granting the missing scopes. */
  hint?: string;
  /**
   * A write the SDK does not send again (a credential mint, a precondition write, a POST without
   * an idempotency key) may have taken effect although it failed (a timeout, a connection lost
   * after sending, a 502/503/504): re-read the state, or reconcile, before sending it again.
   */
  outcomeUnknown: boolean;
  /** `https://docs.kontext.security/errors/<code>`. */
  docsUrl: string;
  toJSON(): { [key: string]: unknown };
}

export declare class HttpError extends KontextError {
  /** The error body as received (truncated). */
  body?: string;
  /** The server's `diagnostics` as received (e.g. the Cedar errors of a 422). */
  diagnostics?: unknown;
}
export declare class BadRequestError extends HttpError {}
export declare class AuthenticationError extends HttpError {}
export declare class PermissionDeniedError extends HttpError {}
export declare class NotFoundError extends HttpError {}
export declare class ConflictError extends HttpError {}
export declare class PreconditionFailedError extends HttpError {}
/** 428: the write needs the current ETag (`If-Match`). */
export declare class PreconditionRequiredError extends HttpError {}
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

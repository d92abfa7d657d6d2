// Error classes. Engines reject with plain `Error`s carrying the fields of
// `kontext_management::ErrorDetails` (`kind`, `code`, `status`, ...); `fromEngineError` turns those into the
// classes below by `kind`, so no message text is ever parsed.

// Shared by every copy of this module (ESM, CJS, wasm build), so the guards work across them.
const BRAND = Symbol.for('kontext-management.KontextError');

export class KontextError extends Error {
  constructor(message, fields = {}, options) {
    super(message, options);
    Object.defineProperty(this, 'name', { value: new.target.name, configurable: true, writable: true });
    this.kind = fields.kind ?? 'internal';
    this.code = fields.code ?? 'kontext_internal_error';
    this.statusCode = fields.status;
    this.requestId = fields.requestId;
    this.retryAfter = fields.retryAfter;
    this.missingScopes = fields.missingScopes;
    this.hint = fields.hint;
    // A write the SDK does not send again that may have taken effect although it failed: re-read
    // (or reconcile) before sending it again. Always a boolean.
    this.outcomeUnknown = fields.outcomeUnknown === true;
    this.docsUrl = fields.docsUrl ?? `https://docs.kontext.security/errors/${this.code}`;
  }

  toJSON() {
    const out = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) if (value !== undefined) out[key] = value;
    return out;
  }
}
Object.defineProperty(KontextError.prototype, BRAND, { value: true });

/** The API answered with an error status. */
export class HttpError extends KontextError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.body = fields.body;
    this.diagnostics = fields.diagnostics;
  }
}
export class BadRequestError extends HttpError {}
export class AuthenticationError extends HttpError {}
export class PermissionDeniedError extends HttpError {}
export class NotFoundError extends HttpError {}
export class ConflictError extends HttpError {}
export class PreconditionFailedError extends HttpError {}
/** 428: the write needs the current ETag (`If-Match`). */
export class PreconditionRequiredError extends HttpError {}
export class RateLimitError extends HttpError {}
export class InternalServerError extends HttpError {}

/** The request could not be sent, or the connection broke before a full response arrived. */
export class NetworkError extends KontextError {}
/** No complete response within the timeout (a network failure, so `isNetworkError` holds). */
export class TimeoutError extends NetworkError {}

/** The token endpoint refused to issue a token (RFC 6749 §5.2). */
export class OAuthError extends KontextError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.errorCode = fields.oauthError;
    this.errorDescription = fields.oauthErrorDescription;
  }
}

/** The client options are unusable. */
export class ConfigError extends KontextError {}

/** An argument was rejected before any request was made; `argument` names it. */
export class ValidationError extends KontextError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.argument = fields.argument;
  }
}

/** A success response whose body is not what the API documents. */
export class DecodeError extends KontextError {}

/** The call's `AbortSignal` fired; the request was cancelled. `cause` is the signal's reason. */
export class AbortError extends KontextError {}

/** A bug in the SDK (a Rust panic); please report it. */
export class InternalError extends KontextError {}

const CLASS_BY_KIND = {
  bad_request: BadRequestError,
  authentication: AuthenticationError,
  permission_denied: PermissionDeniedError,
  not_found: NotFoundError,
  conflict: ConflictError,
  precondition_failed: PreconditionFailedError,
  precondition_required: PreconditionRequiredError,
  rate_limited: RateLimitError,
  server_error: InternalServerError,
  api_error: HttpError,
  oauth: OAuthError,
  connection: NetworkError,
  timeout: TimeoutError,
  decode: DecodeError,
  invalid_input: ValidationError,
  config: ConfigError,
  aborted: AbortError,
  internal: InternalError,
};

/** Builds the typed error for an engine failure; anything that is not one is returned as is. */
export function fromEngineError(error, signal) {
  if (signal?.aborted) return abortError(signal);
  if (isKontextError(error)) return error;
  if (error?.name === 'AbortError') return abortError(signal);
  if (typeof error?.kind !== 'string') return error;
  const Class = CLASS_BY_KIND[error.kind] ?? KontextError;
  return new Class(String(error.message), error);
}

export function abortError(signal) {
  return new AbortError(
    'the request was aborted',
    { kind: 'aborted', code: 'kontext_aborted' },
    { cause: signal?.reason },
  );
}

export function isKontextError(value) {
  return value instanceof KontextError || (typeof value === 'object' && value !== null && value[BRAND] === true);
}

/** Transport failures and timeouts: the request may never have reached the API. */
export function isNetworkError(value) {
  return isKontextError(value) && (value.kind === 'connection' || value.kind === 'timeout');
}

/** A 401, from the API or from the token endpoint. */
export function isUnauthorizedError(value) {
  return isKontextError(value) && (value.statusCode === 401 || value.code === 'kontext_authorization_required');
}

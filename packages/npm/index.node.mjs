// Node and Bun entry (ES module): the CommonJS entry's object, re-exported by name, once its
// engine is ready (the wasm engine, where no native addon loads, finishes loading here).
import api from './index.node.cjs';

// A failure is kept by the engine, not thrown: importing never breaks, and the first client or
// OAuth call reports it.
await api.init().catch(() => {});

// @generated exports by `just codegen` from index.d.ts: do not edit
export const {
  KontextManagementClient,
  createPkceChallenge,
  buildAuthorizeUrl,
  exchangeCode,
  refresh,
  startDeviceAuthorization,
  pollDeviceToken,
  oauth,
  init,
  KontextError,
  HttpError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  PreconditionFailedError,
  PreconditionRequiredError,
  RateLimitError,
  InternalServerError,
  NetworkError,
  TimeoutError,
  OAuthError,
  ConfigError,
  ValidationError,
  DecodeError,
  AbortError,
  InternalError,
  isKontextError,
  isNetworkError,
  isUnauthorizedError,
} = api;
// @end exports

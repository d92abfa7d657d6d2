// `kontext-management/native` (ES module): the native addon and nothing else (see index.cjs).
import api from './index.cjs';

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

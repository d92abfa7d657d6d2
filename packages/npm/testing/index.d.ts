// Types of `kontext-management/testing` (testing/index.mjs).
import type { KontextManagementClient } from '../index.js';

// `Symbol.asyncDispose` for TypeScript setups whose `lib` predates it (as @types/node declares it).
declare global {
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
}

export interface StartEmulatorOptions {
  /** Address to bind (default `127.0.0.1`; anything else exposes the emulator to the network). */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Fill the organization with deterministic data (N scales the amounts). */
  seed?: number;
  /** Bootstrap service account (default `sa_local_dev` / `local-dev-secret`). */
  clientId?: string;
  clientSecret?: string;
  /** Access token lifetime in seconds (default 3600). */
  tokenTtl?: number;
  /** Requests per minute per credential (default 120; 0 = off). */
  rateLimit?: number;
  /** Keep state in this SQLite file (default: in memory). */
  db?: string;
  /** The binary (default: `findEmulatorBinary()`). */
  binary?: string;
  /** How long to wait for readiness (default 10 000 ms). */
  startupTimeoutMs?: number;
}

export interface FaultRule {
  /** Answer with this status (`action: 'respond'`). */
  status?: number;
  action?: 'respond' | 'delay' | 'drop' | 'truncate' | 'malformed';
  /** Only this method (default: any). */
  method?: string;
  /** Glob on the path (`*` matches anything, `/` included), e.g. `/api/v1/applications*`. */
  path?: string;
  /** How many matching requests the rule answers (default 1). */
  times?: number;
  /** Let this many matching requests through first (default 0). */
  skip?: number;
  /** Response headers, e.g. `{ 'retry-after': '1' }`. */
  headers?: Record<string, string>;
  /** Response body: JSON, or a string sent as-is. */
  body?: unknown;
  delayMs?: number;
}

export interface SeedCounts {
  applications?: number;
  integrations?: number;
  serviceAccounts?: number;
  sessions?: number;
  traces?: number;
  decisions?: number;
  applicationId?: string;
}

export interface Seeded {
  applicationIds: string[];
  integrationIds: string[];
  serviceAccountIds: string[];
  sessionIds: string[];
  traceIds: string[];
  decisionIds: string[];
}

/** One entry of the request log (control calls excluded; header names lower-case, credentials redacted). */
export interface LoggedRequest {
  method: string;
  path: string;
  query: string | null;
  headers: Record<string, string>;
  /** `null` when the connection was dropped before an answer. */
  status: number | null;
  /** Arrival on the emulator's clock (RFC 3339). */
  at: string;
  /** Id of the fault rule that answered, if any. */
  fault: string | null;
}

export interface EmulatorSettings {
  rateLimitPerMinute?: number;
  tokenTtlSeconds?: number;
  omitExpiresIn?: boolean;
}

export class EmulatorError extends Error {}

export class Emulator {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly env: { KONTEXT_BASE_URL: string; KONTEXT_CLIENT_ID: string; KONTEXT_CLIENT_SECRET: string };
  readonly pid: number;
  readonly running: boolean;
  /** A client of this emulator; `config` adds or overrides settings (e.g. `{ maxRetries: 0 }`). */
  client(config?: Record<string, unknown>): KontextManagementClient;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  reset(options?: { seed?: number }): Promise<void>;
  seed(counts?: SeedCounts): Promise<Seeded>;
  fault(rule: FaultRule): Promise<string>;
  clearFaults(): Promise<void>;
  advanceClock(seconds: number): Promise<string>;
  requests(): Promise<LoggedRequest[]>;
  clearRequests(): Promise<void>;
  configure(settings: EmulatorSettings): Promise<Required<EmulatorSettings>>;
  revokeTokens(): Promise<number>;
  authorize(
    url: string,
    options?: { approve?: boolean },
  ): Promise<{ redirectUrl: string; code?: string; state?: string | null; error?: string }>;
}

export function startEmulator(options?: StartEmulatorOptions): Promise<Emulator>;
export function findEmulatorBinary(): string;

// The `logger` and `logLevel` client options: the Rust core's log records, delivered to a
// console-compatible logger. Both engines hand over each record as JSON text
// (`{"level","target","message","fields"}`, already redacted); this file picks the method and
// renames the fields for JS.

import { configFailure } from './options.js';

const LEVELS = ['off', 'error', 'warn', 'info', 'debug'];

// The core has a `trace` level too; a console-style logger has no such method.
const METHOD = { error: 'error', warn: 'warn', info: 'info', debug: 'debug', trace: 'debug' };

/** `KONTEXT_LOG` where there is a `process.env` (Node, Bun; Deno with its Node compatibility). */
function levelFromEnvironment() {
  let value;
  try {
    value = globalThis.process?.env?.KONTEXT_LOG;
  } catch {
    return undefined; // Deno without --allow-env throws instead of answering
  }
  const name = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (name === 'warning') return 'warn';
  return LEVELS.includes(name) ? name : undefined;
}

const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/**
 * The engine's logging arguments for a client config: `{ level, sink }`, or `undefined` when
 * nothing is to be logged (then the engine does no logging work at all).
 */
export function loggingOptions(config) {
  const level = config.logLevel ?? levelFromEnvironment() ?? 'warn';
  if (!LEVELS.includes(level)) {
    throw configFailure('logLevel', `must be one of ${LEVELS.map((l) => `'${l}'`).join(', ')}`);
  }
  const logger = config.logger ?? globalThis.console;
  if (config.logger !== undefined && (typeof logger !== 'object' || logger === null)) {
    throw configFailure('logger', 'must be an object like console, with debug/info/warn/error methods');
  }
  if (level === 'off' || !logger) return undefined;
  const sink = (json) => {
    // A logger that throws must not surface anywhere: the call it reports on goes on.
    try {
      const record = JSON.parse(json);
      const method = logger[METHOD[record.level]];
      if (typeof method !== 'function') return;
      const fields = {};
      for (const [name, value] of Object.entries(record.fields ?? {})) fields[camel(name)] = value;
      method.call(logger, `[${record.target}] ${record.message}`, fields);
    } catch {
      // ignored, see above
    }
  };
  return { level, sink };
}

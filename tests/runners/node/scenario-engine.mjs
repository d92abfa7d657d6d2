// Executes one shared scenario (tests/scenarios/SCHEMA.md) through the JS package, whichever
// engine backs it. Plain ES module with no Node imports, so the wasm runner can load it in a
// browser page too: everything environment-specific (`fetch`, the package) is passed in.
//
//   await runScenario(scenario, { api, target: { baseUrl, clientId, clientSecret, live? }, fetch });
//
// `live: true` targets a real organization: no emulator control (no reset, seed or faults;
// `requests` and `clearRequests` steps are skipped), so only `readOnly` scenarios may run.
//
// Throws an Error describing the failing step (expected vs actual, the SDK error, steps run).

const SCENARIO_STEP_KEYS = ['call', 'emulator', 'client', 'sleepMs', 'requests', 'clearRequests'];

// ---------------------------------------------------------------------------------------------
// Variables: "${name.path.0}" — a string that is exactly one reference keeps the value's type.

const REFERENCE = /\$\{([^}]*)\}/g;

export function getPath(root, path) {
  if (path === '' || path === undefined) return root;
  let current = root;
  for (const segment of String(path).split('.')) {
    if (current === null || typeof current !== 'object' || !(segment in current)) return undefined;
    current = current[segment];
  }
  return current;
}

function lookup(vars, reference) {
  if (!/^[A-Za-z0-9_.-]+$/.test(reference)) throw new Error(`bad variable reference \`\${${reference}}\``);
  const [name, ...rest] = reference.split('.');
  if (!(name in vars)) throw new Error(`unknown variable \`${name}\` in \`\${${reference}}\``);
  const value = getPath(vars[name], rest.join('.'));
  if (value === undefined) throw new Error(`\`\${${reference}}\`: path \`${rest.join('.')}\` not found`);
  return value;
}

export function substitute(vars, value) {
  if (typeof value === 'string') {
    const whole = /^\$\{([^}]*)\}$/.exec(value);
    if (whole) return lookup(vars, whole[1]);
    if (value.includes('${') && !/\$\{[^}]*\}/.test(value)) throw new Error(`unclosed \`\${\` in \`${value}\``);
    return value.replace(REFERENCE, (_, reference) => {
      const v = lookup(vars, reference);
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(vars, v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(vars, v)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Partial matching with `$` matchers.

const short = (value) => {
  const text = value === undefined ? '<absent>' : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
};

const jsonType = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

const isMatcher = (v) =>
  jsonType(v) === 'object' && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));

/** Mismatches of `actual` (undefined = absent) against `expected`, each prefixed with its path. */
export function check(expected, actual, path = '$', errors = []) {
  if (isMatcher(expected)) {
    checkOps(expected, actual, path, errors);
  } else if (expected === null) {
    if (actual !== undefined && actual !== null) errors.push(`${path}: expected null or absent, got ${short(actual)}`);
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) errors.push(`${path}: expected an array, got ${short(actual)}`);
    else if (actual.length !== expected.length) {
      errors.push(`${path}: expected an array of ${expected.length} elements, got ${actual.length}: ${short(actual)}`);
    } else expected.forEach((e, i) => check(e, actual[i], `${path}.${i}`, errors));
  } else if (typeof expected === 'object') {
    if (jsonType(actual) !== 'object') errors.push(`${path}: expected an object, got ${short(actual)}`);
    else for (const [k, e] of Object.entries(expected)) check(e, actual[k], `${path}.${k}`, errors);
  } else if (expected !== actual) {
    errors.push(`${path}: expected ${short(expected)}, got ${short(actual)}`);
  }
  return errors;
}

export const matches = (expected, actual) => check(expected, actual).length === 0;

function checkOps(ops, actual, path, errors) {
  for (const [op, arg] of Object.entries(ops)) {
    const fail = (message) => errors.push(`${path}: ${op} ${short(arg)}: ${message}`);
    switch (op) {
      case '$exists':
        if ((arg !== false) !== (actual !== undefined && actual !== null)) fail(`got ${short(actual)}`);
        break;
      case '$length':
      case '$minLength': {
        const length = Array.isArray(actual)
          ? actual.length
          : typeof actual === 'string'
            ? [...actual].length
            : undefined;
        if (length === undefined) fail(`not an array or string: ${short(actual)}`);
        else if (op === '$length' ? length !== arg : length < arg) fail(`length is ${length}: ${short(actual)}`);
        break;
      }
      case '$gte':
      case '$lte':
        if (typeof actual !== 'number' || (op === '$gte' ? actual < arg : actual > arg)) fail(`got ${short(actual)}`);
        break;
      case '$type':
        if (actual === undefined || jsonType(actual) !== arg) fail(`got ${short(actual)}`);
        break;
      case '$unique': {
        if (!Array.isArray(actual)) {
          fail(`not an array: ${short(actual)}`);
          break;
        }
        const seen = new Set();
        for (const [i, item] of actual.entries()) {
          const v = getPath(item, arg);
          if (v === undefined) {
            fail(`element ${i} has no \`${arg}\``);
            break;
          }
          const key = JSON.stringify(v);
          if (seen.has(key)) {
            fail(`element ${i} repeats ${short(v)}`);
            break;
          }
          seen.add(key);
        }
        break;
      }
      case '$contains':
        if (!Array.isArray(actual)) fail(`not an array: ${short(actual)}`);
        else if (!actual.some((item) => matches(arg, item))) fail(`no element matches in ${short(actual)}`);
        break;
      case '$not':
        if (matches(arg, actual)) fail(`it matches: ${short(actual)}`);
        break;
      case '$matches':
        if (typeof actual !== 'string' || !new RegExp(arg).test(actual)) fail(`got ${short(actual)}`);
        break;
      default:
        fail('unknown matcher');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Request-log assertions.

export function globMatch(pattern, text) {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's').test(text);
}

function entryMatches(filter, entry) {
  if (filter.method && String(entry.method).toUpperCase() !== filter.method.toUpperCase()) return false;
  if (filter.path && !globMatch(filter.path, String(entry.path ?? ''))) return false;
  if (filter.status !== undefined && entry.status !== filter.status) return false;
  if (filter.header) {
    const lowered = Object.fromEntries(Object.entries(filter.header).map(([k, v]) => [k.toLowerCase(), v]));
    if (!matches(lowered, entry.headers)) return false;
  }
  return true;
}

const renderLog = (entries) =>
  entries
    .map(
      (e) =>
        `  ${e.method} ${e.path}${e.query ? `?${String(e.query).replace(/^\?/, '')}` : ''} → ${e.status}${e.fault ? ` [fault ${e.fault}]` : ''}`,
    )
    .join('\n') || '  (none)';

// ---------------------------------------------------------------------------------------------
// Calls through the SDK.

const isListAll = (method) => method.endsWith('.listAll');

/** The SDK function behind a dispatch name, with what it must be called on. */
function resolve(api, client, method) {
  const [area, name] = method.split('.');
  const owner = area === 'oauth' ? api.oauth : area === 'client' ? client : client?.[area];
  const fn = owner?.[name];
  if (typeof fn !== 'function') throw new Error(`the SDK has no method ${method}`);
  return { owner, fn };
}

/** The error as the data SCHEMA.md's `expectError` matches (ErrorDetails field names). */
export function errorDetails(error) {
  if (typeof error?.kind !== 'string') {
    return { kind: '<not a KontextError>', name: error?.name, message: String(error?.message ?? error) };
  }
  const details = {
    kind: error.kind,
    code: error.code,
    message: error.message,
    status: error.statusCode,
    requestId: error.requestId,
    retryAfter: error.retryAfter,
    missingScopes: error.missingScopes,
    hint: error.hint,
    diagnostics: error.diagnostics,
    outcomeUnknown: error.outcomeUnknown,
    argument: error.argument,
    oauthError: error.errorCode,
    oauthErrorDescription: error.errorDescription,
    body: error.body,
    docsUrl: error.docsUrl,
  };
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

async function callSdk(api, client, method, args, options) {
  const { owner, fn } = resolve(api, client, method);
  // Options go last, after every positional parameter the method declares.
  const positional = options === undefined ? args : [...args, ...Array(Math.max(0, fn.length - 1 - args.length))];
  const fullArgs = options === undefined ? positional : [...positional, options];
  if (isListAll(method)) {
    const all = [];
    for await (const item of fn.apply(owner, fullArgs)) all.push(item);
    return all;
  }
  const result = await fn.apply(owner, fullArgs);
  return result === undefined ? null : result;
}

async function outcome(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: errorDetails(error) };
  }
}

// ---------------------------------------------------------------------------------------------
// The emulator's control API over plain fetch.

export function emulatorControl(baseUrl, fetchFn = globalThis.fetch) {
  async function send(method, path, body) {
    const response = await fetchFn(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, ok: response.ok, body: json };
  }
  async function expectOk(method, path, body) {
    const answer = await send(method, path, body);
    if (!answer.ok) throw new Error(`${method} ${path} answered ${answer.status}: ${short(answer.body)}`);
    return answer.body;
  }
  return {
    send,
    expectOk,
    reset: () => expectOk('POST', '/_emulator/reset', {}),
    clearRequests: () => expectOk('DELETE', '/_emulator/requests'),
    requests: async () => (await expectOk('GET', '/_emulator/requests')).items ?? [],
  };
}

// ---------------------------------------------------------------------------------------------
// One scenario.

class StepFailure extends Error {}

function mergeClientOptions(base, over) {
  const out = { ...base };
  if ('accessToken' in over && !('credentials' in over)) delete out.credentials;
  if ('credentials' in over && !('accessToken' in over)) delete out.accessToken;
  return { ...out, ...over };
}

export async function runScenario(scenario, { api, target, fetch: fetchFn = globalThis.fetch, onStep }) {
  const control = emulatorControl(target.baseUrl.replace(/\/+$/, ''), fetchFn);
  const vars = {
    baseUrl: target.baseUrl.replace(/\/+$/, ''),
    clientId: target.clientId,
    clientSecret: target.clientSecret,
  };
  const trail = [];
  let client;
  let clientOptions = {
    baseUrl: vars.baseUrl,
    credentials: { clientId: target.clientId, clientSecret: target.clientSecret },
  };

  const fail = (where, message, extra = {}) => {
    const lines = [`scenario \`${scenario.name}\` failed ${where}: ${message}`];
    for (const key of ['step', 'expected', 'actual', 'error']) {
      if (extra[key] !== undefined) lines.push(`  ${key.padEnd(9)} ${JSON.stringify(extra[key])}`);
    }
    if (extra.mismatches?.length)
      lines.push('  mismatches:', ...extra.mismatches.slice(0, 20).map((m) => `    - ${m}`));
    if (extra.log) lines.push(extra.log);
    if (trail.length) lines.push('  steps run before:', ...trail.map((t) => `    ${t}`));
    return new StepFailure(lines.join('\n'));
  };

  const build = (options) => {
    try {
      return { client: new api.KontextManagementClient(options) };
    } catch (error) {
      return { error: errorDetails(error) };
    }
  };

  // Setup.
  const setup = scenario.setup ?? {};
  const live = target.live === true;
  if (live && !scenario.readOnly) throw fail('in setup', 'only readOnly scenarios run against a live organization');
  if (!live) {
    await control.reset();
    if (setup.emulator) await control.expectOk('POST', '/_emulator/config', setup.emulator);
    if (setup.seed) vars.seed = await control.expectOk('POST', '/_emulator/seed', setup.seed);
    for (const fault of setup.faults ?? [])
      await control.expectOk('POST', '/_emulator/faults', substitute(vars, fault));
  }
  if (setup.client) clientOptions = mergeClientOptions(clientOptions, substitute(vars, setup.client));
  const built = build(clientOptions);
  if (built.error) throw fail('in setup.client', 'the client could not be built', { error: built.error });
  client = built.client;
  if (!live) await control.clearRequests();

  // Steps.
  for (const [index, step] of scenario.steps.entries()) {
    const n = index + 1;
    const kind = SCENARIO_STEP_KEYS.find((k) => k in step);
    const label = kind === 'call' ? `call ${step.call}` : kind === 'emulator' ? `emulator ${step.emulator}` : kind;
    const where = `at step ${n} (${label})`;
    onStep?.(n, label);
    const started = Date.now();
    let summary;
    try {
      summary = await runStep(step, kind);
    } catch (error) {
      if (error instanceof StepFailure) throw error;
      throw fail(where, error?.stack ?? String(error));
    }
    trail.push(`${n}. ${label} — ${summary} (${Date.now() - started} ms)`);

    async function runStep(step, kind) {
      switch (kind) {
        case 'call': {
          const args = substitute(vars, step.args ?? []);
          const options = step.options === undefined ? undefined : substitute(vars, step.options);
          const runs = Array.from({ length: step.repeat ?? 1 }, () =>
            outcome(callSdk(api, client, step.call, args, options)),
          );
          return checkOutcomes(step, { call: step.call, args, options }, await Promise.all(runs));
        }
        case 'emulator': {
          if (live) throw fail(where, 'emulator steps cannot run against a live organization');
          const [method, rawPath] = step.emulator.split(/\s+/, 2);
          const path = substitute(vars, rawPath);
          const body = step.body === undefined ? undefined : substitute(vars, step.body);
          const answers = await Promise.all(
            Array.from({ length: step.repeat ?? 1 }, () => control.send(method, path, body)),
          );
          const outcomes = answers.map((a) =>
            a.ok
              ? { ok: true, value: a.body }
              : { ok: false, error: { status: a.status, message: a.body?.message ?? null, body: a.body } },
          );
          return checkOutcomes(step, { emulator: `${method} ${path}`, body }, outcomes);
        }
        case 'client': {
          const merged = mergeClientOptions(clientOptions, substitute(vars, step.client));
          const result = build(merged);
          if (step.expectError) {
            if (result.client) throw fail(where, 'the client was built, but an error was expected');
            matchError(step, { client: '…' }, substitute(vars, step.expectError), result.error);
            return `failed as expected: ${result.error.kind}`;
          }
          if (result.error) throw fail(where, 'the client could not be built', { error: result.error });
          client = result.client;
          clientOptions = merged;
          return 'built';
        }
        case 'sleepMs':
          await new Promise((r) => setTimeout(r, step.sleepMs));
          return 'slept';
        case 'requests': {
          if (live) return 'skipped (live)';
          const filter = substitute(vars, step.requests);
          const entries = await control.requests();
          const selected = entries.filter((e) => entryMatches(filter, e));
          const mismatches = check(filter.count, selected.length);
          if (mismatches.length) {
            throw fail(where, `request count ${selected.length} does not match ${JSON.stringify(filter.count)}`, {
              step: filter,
              log: `  matching entries:\n${renderLog(selected)}\n  whole log (${entries.length} entries):\n${renderLog(entries)}`,
            });
          }
          return `${entries.length} log entries checked`;
        }
        case 'clearRequests':
          if (live) return 'skipped (live)';
          await control.clearRequests();
          return 'cleared';
        default:
          throw fail(where, `unknown step ${JSON.stringify(step)}`);
      }
    }

    function matchError(step, stepJson, expected, details) {
      const { message, ...rest } = expected;
      const mismatches = check(rest, details);
      if (typeof message === 'string' && !String(details.message ?? '').includes(message)) {
        mismatches.push(
          `$.message: expected a message containing ${JSON.stringify(message)}, got ${JSON.stringify(details.message)}`,
        );
      }
      if (mismatches.length) {
        throw fail(where, 'the error does not match expectError', {
          step: stepJson,
          expected,
          error: details,
          mismatches,
        });
      }
    }

    function checkOutcomes(step, stepJson, outcomes) {
      const expect = step.expect === undefined ? undefined : substitute(vars, step.expect);
      const expectError = step.expectError === undefined ? undefined : substitute(vars, step.expectError);
      outcomes.forEach((o, i) => {
        const which = outcomes.length > 1 ? ` (run ${i + 1} of ${outcomes.length})` : '';
        if (o.ok && expectError) {
          throw fail(where, `succeeded, but an error was expected${which}`, {
            step: stepJson,
            expected: expectError,
            actual: o.value,
          });
        }
        if (!o.ok && !expectError) {
          throw fail(where, `failed unexpectedly${which}`, { step: stepJson, expected: expect, error: o.error });
        }
        if (!o.ok) matchError(step, stepJson, expectError, o.error);
        else if (expect !== undefined) {
          const mismatches = check(expect, o.value);
          if (mismatches.length) {
            throw fail(where, `the result does not match expect${which}`, {
              step: stepJson,
              expected: expect,
              actual: o.value,
              mismatches,
            });
          }
        }
      });
      const first = outcomes[0];
      if (first?.ok) {
        for (const [name, path] of Object.entries(step.save ?? {})) {
          const value = getPath(first.value, path);
          if (value === undefined)
            throw fail(where, `save \`${name}\`: path \`${path}\` not found in the result`, { actual: first.value });
          vars[name] = value;
        }
      }
      if (!first) return 'nothing ran';
      return first.ok
        ? `ok${outcomes.length > 1 ? ` ×${outcomes.length}` : ''}: ${short(first.value)}`
        : `failed as expected: ${first.error.kind}`;
    }
  }
  return { steps: scenario.steps.length };
}

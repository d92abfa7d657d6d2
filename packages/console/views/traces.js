// Trace statistics for 1d / 7d / 30d: totals, events by status and latency percentiles as SVG
// charts, top tools, and the most recent traces.

import { barChart } from '../chart.js';
import { SessionEnded, empty, errorBox, formatBytes, formatNumber, h, loading, mount, time } from '../ui.js';

const PERIODS = [
  { value: '1d', label: '24 hours' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
];

const STATUS_ORDER = ['ok', 'warn', 'error_remote', 'error_proxy', 'error_auth'];
const STATUS_LABELS = { ok: 'OK', warn: 'Warning', error_remote: 'Remote error', error_proxy: 'Gateway error', error_auth: 'Auth error' };
const STATUS_TONES = { ok: 'ok', warn: 'warn', error_remote: 'bad', error_proxy: 'bad', error_auth: 'bad' };

const remembered = { period: '7d' };

export function render(main, ctx) {
  document.title = 'Traces · Kontext admin console';
  if (PERIODS.some((p) => p.value === ctx.query.get('period'))) remembered.period = ctx.query.get('period');
  const period = remembered.period;
  const statsRegion = h('div', { 'aria-live': 'polite', id: 'trace-stats' });
  const recentRegion = h('div', { 'aria-live': 'polite' });
  const periodGroup = h(
    'fieldset',
    { class: 'segmented' },
    h('legend', { class: 'visually-hidden' }, 'Period'),
    PERIODS.map((p) => {
      const id = `period-${p.value}`;
      return [
        h('input', { type: 'radio', name: 'period', id, value: p.value, checked: p.value === period, onchange: () => choose(p.value) }),
        h('label', { for: id }, p.label),
      ];
    }),
  );
  mount(
    main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Traces'), periodGroup),
    h('p', { class: 'muted lead' }, 'What agents did through the gateway: MCP events, their outcome and their latency.'),
    statsRegion,
    h('section', { class: 'card', 'aria-labelledby': 'recent-title' }, h('h2', { id: 'recent-title' }, 'Recent traces'), recentRegion),
  );

  // Changing the period reloads the statistics in place (focus stays on the radio group) and
  // keeps the address shareable.
  function choose(value) {
    remembered.period = value;
    history.replaceState(null, '', `#/traces?period=${value}`);
    loadStats();
  }

  let latest = 0;
  async function loadStats() {
    const current = remembered.period;
    const ticket = ++latest;
    statsRegion.setAttribute('aria-busy', 'true');
    mount(statsRegion, loading('Loading statistics…'));
    try {
      const { stats } = await ctx.call((c) => c.traces.stats({ period: current }));
      if (!ctx.alive() || ticket !== latest) return;
      mount(statsRegion, statsView(stats, current));
    } catch (error) {
      if (error instanceof SessionEnded || !ctx.alive() || ticket !== latest) return;
      mount(statsRegion, errorBox(error, { context: 'Could not load the trace statistics', onRetry: loadStats }));
    } finally {
      if (ticket === latest) statsRegion.removeAttribute('aria-busy');
    }
  }

  async function loadRecent() {
    mount(recentRegion, loading('Loading traces…'));
    try {
      const { items } = await ctx.call((c) => c.traces.list({ limit: 10 }));
      if (!ctx.alive()) return;
      mount(recentRegion, items?.length ? recentTable(items) : empty('No traces yet.'));
    } catch (error) {
      if (error instanceof SessionEnded || !ctx.alive()) return;
      mount(recentRegion, errorBox(error, { context: 'Could not load the traces', onRetry: loadRecent }));
    }
  }

  loadStats();
  loadRecent();
}

function statsView(stats, period) {
  const label = PERIODS.find((p) => p.value === period)?.label ?? period;
  if (!stats.totalEvents && !stats.totalTraces) {
    return empty(`No agent activity in the last ${label}.`);
  }
  const counts = stats.eventCounts ?? {};
  const statuses = [...STATUS_ORDER.filter((k) => k in counts), ...Object.keys(counts).filter((k) => !STATUS_ORDER.includes(k))];
  const ms = (n) => `${Math.round(n).toLocaleString('en-US')} ms`;
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'stat-cards' },
      stat('Traces', formatNumber(stats.totalTraces)),
      stat('Events', formatNumber(stats.totalEvents)),
      stat('Error rate', `${(stats.errorRate ?? 0).toFixed(1)} %`),
      stat('Data in / out', `${formatBytes(stats.bytesTransferred?.in ?? 0)} / ${formatBytes(stats.bytesTransferred?.out ?? 0)}`),
    ),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'card', 'aria-label': 'Events by status' },
        barChart({
          id: 'events-chart',
          title: `Events by status, last ${label}`,
          rows: statuses.map((k) => ({ label: STATUS_LABELS[k] ?? k, value: counts[k] ?? 0, tone: STATUS_TONES[k] ?? 'neutral' })),
        }),
      ),
      h(
        'section',
        { class: 'card', 'aria-label': 'Latency percentiles' },
        barChart({
          id: 'latency-chart',
          title: `Event latency percentiles, last ${label}`,
          rows: [
            { label: 'p50 (median)', value: stats.latency?.p50 ?? 0, tone: 'info' },
            { label: 'p95', value: stats.latency?.p95 ?? 0, tone: 'info' },
            { label: 'p99', value: stats.latency?.p99 ?? 0, tone: 'info' },
          ],
          format: ms,
        }),
      ),
      stats.topTools?.length
        ? h(
            'section',
            { class: 'card', 'aria-labelledby': 'tools-title' },
            h('h2', { id: 'tools-title' }, 'Most used tools'),
            h('ol', { class: 'ranked' }, stats.topTools.slice(0, 8).map((t) => h('li', {}, h('code', { class: 'mono small' }, t.toolName), h('span', { class: 'muted' }, formatNumber(t.count))))),
          )
        : null,
      stats.errorsByType?.length
        ? h(
            'section',
            { class: 'card', 'aria-labelledby': 'errors-title' },
            h('h2', { id: 'errors-title' }, 'Errors by type'),
            h('ol', { class: 'ranked' }, stats.errorsByType.map((t) => h('li', {}, h('span', {}, STATUS_LABELS[t.type] ?? t.type), h('span', { class: 'muted' }, formatNumber(t.count))))),
          )
        : null,
    ),
  );
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label));
}

function recentTable(items) {
  return h(
    'table',
    { class: 'data-table', id: 'traces-table' },
    h('caption', { class: 'visually-hidden' }, 'Recent traces'),
    h('thead', {}, h('tr', {}, ['Agent', 'Started', 'Events', 'OK', 'Warnings', 'Errors'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      items.map((t) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', 'data-label': 'Agent' }, t.agentName ?? t.agentId, t.agentSessionName ? h('div', { class: 'muted small' }, t.agentSessionName) : null),
          h('td', { 'data-label': 'Started' }, time(t.startedAt)),
          h('td', { 'data-label': 'Events' }, formatNumber(t.eventCount)),
          h('td', { 'data-label': 'OK' }, formatNumber(t.okCount)),
          h('td', { 'data-label': 'Warnings' }, formatNumber(t.warnCount)),
          h('td', { 'data-label': 'Errors' }, t.errorCount ? h('strong', { class: 'text-bad' }, formatNumber(t.errorCount)) : '0'),
        ),
      ),
    ),
  );
}

// A small horizontal bar chart in SVG. Each row: the label on the left, the value on the right,
// the bar below, sized in percent so the chart fits any width without scaling its text. The
// numbers are also in a data table for screen readers and for copying.

import { h, nextId } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/**
 * @param {{title: string, description?: string, rows: {label: string, value: number, tone?: string}[],
 *          format?: (n: number) => string, id?: string}} options
 */
export function barChart({ title, description, rows, format = (n) => n.toLocaleString('en-US'), id }) {
  const titleId = nextId('chart-title');
  const descId = nextId('chart-desc');
  const rowHeight = 34;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * rowHeight + 4;
  const summary = rows.map((r) => `${r.label}: ${format(r.value)}`).join(', ');
  const svg = s(
    'svg',
    { class: 'chart', width: '100%', height, role: 'img', 'aria-labelledby': `${titleId} ${descId}`, focusable: 'false', id },
    s('title', { id: titleId }, title),
    s('desc', { id: descId }, description ? `${description} ${summary}` : summary),
    rows.map((r, i) => {
      const y = i * rowHeight;
      const pct = (r.value / max) * 100;
      return s(
        'g',
        { class: `bar bar-${r.tone ?? 'neutral'}`, 'data-label': r.label },
        s('text', { x: 0, y: y + 13, class: 'bar-label' }, r.label),
        s('text', { x: '100%', y: y + 13, class: 'bar-value', 'text-anchor': 'end' }, format(r.value)),
        s('rect', { x: 0, y: y + 18, width: '100%', height: 10, rx: 3, class: 'bar-track' }),
        s('rect', { x: 0, y: y + 18, width: `${Math.max(r.value > 0 ? 0.8 : 0, pct).toFixed(2)}%`, height: 10, rx: 3, class: 'bar-fill' }),
      );
    }),
  );
  const table = h(
    'details',
    { class: 'chart-table' },
    h('summary', {}, 'Show as table'),
    h(
      'table',
      { class: 'data-table compact' },
      h('caption', { class: 'visually-hidden' }, title),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Value'))),
      h('tbody', {}, rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.label), h('td', {}, format(r.value))))),
    ),
  );
  return h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), svg, table);
}

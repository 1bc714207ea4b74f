// Small DOM helpers: elements from data, never from HTML strings with data in them.
import { t, tv } from './i18n.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k.startsWith('data-')) el.dataset[k.slice(5).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A table with translated headers; `rows` are arrays of cells. */
export function table(headerKeys, rows, attrs = {}) {
  return h('table', attrs, h('thead', {}, h('tr', {}, headerKeys.map((k) => h('th', {}, t(k))))), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

/** Fills a section's body: a table, a "none" note, or "not available" when the part is missing. */
export function fill(id, content) {
  const body = document.querySelector(`#${id} .body`);
  body.replaceChildren(content);
}

export function note(key, extra = '') {
  return h('p', { class: `note ${extra}`, 'data-note': key }, t(key));
}

/** A coloured label for a value from the API (severity, phase, status), translated. */
export function badge(value, kind = value) {
  return h('span', { class: `badge ${kind}` }, tv(value));
}

// Optimization plans (current → proposed), apply and roll back with the token, and history.
import { ApiError, askToken, postJson, setToken } from './api.js';
import { badge, fill, h, note, table } from './dom.js';
import { formatTime } from './format.js';
import { t, tv } from './i18n.js';

function say(message, kind) {
  const el = document.querySelector('#optimize-message');
  el.textContent = message;
  el.className = `message ${kind}`;
}

/** Runs a change with the token, asking for it first; a 401 forgets the token. */
async function withToken(action, done, refresh) {
  const token = await askToken();
  if (token === null) return;
  setToken(token);
  try {
    await action();
    say(t(done), 'ok');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) setToken(null);
    say(t('refused', { why: err.message }), 'refused');
  }
  await refresh();
}

/** Applies a plan; a refusal by the guardrails (cooldown, changed since) is an error too. */
async function applyPlan(id) {
  const result = await postJson(`/api/v1/optimize/plans/${encodeURIComponent(id)}/apply`);
  const why = [...result.refused.map((r) => `${r.target}: ${r.reason}`), ...(result.failure ? [result.failure.message] : [])];
  if (why.length) throw new Error(why.join('; '));
  return result;
}

function evidenceText(evidence) {
  return Object.entries(evidence ?? {}).map(([k, v]) => `${k}=${v ?? '—'}`).join(', ');
}

export function renderPlan(answer, refresh) {
  if (answer === null || !answer.available) return fill('optimize', note('not_available', 'not-available'));
  const plan = answer.plan;
  if (!plan || !plan.proposals.length) {
    return fill('optimize', h('div', {}, note('no_plan'), ...(plan?.notes ?? []).map((n) => h('p', { class: 'muted' }, `${n.target}: ${n.message}`))));
  }
  const rows = plan.proposals.map((p) => [
    p.target + (p.resource ? ` ${p.resource}` : ''),
    h('code', {}, p.parameter),
    h('span', { class: 'diff' }, h('del', { 'data-current': '' }, String(p.current ?? '—')), ' → ', h('ins', { 'data-proposed': '' }, String(p.proposed))),
    h('small', {}, evidenceText(p.evidence)),
    p.expectedEffect,
    h('small', {}, p.risk),
  ]);
  fill('optimize', h('div', { 'data-plan': plan.id },
    table(['target', 'parameter', 'current', 'evidence', 'expected', 'risk'], rows, { 'data-list': 'proposals' }),
    h('button', { class: 'apply', 'data-action': 'apply', onclick: () => withToken(() => applyPlan(plan.id), 'applied', refresh) }, t('apply')),
    h('small', { class: 'muted' }, ` ${formatTime(plan.createdAt)}`)));
  document.querySelector('#optimize thead th:nth-child(3)').textContent = `${t('current')} → ${t('proposed')}`;
}

export function renderHistory(answer, refresh) {
  if (answer === null || !answer.available) return fill('history', note('not_available', 'not-available'));
  if (!answer.history.length) return fill('history', note('no_history'));
  fill('history', table(['when', 'kind', 'state', 'changes', 'by', ''], answer.history.map((r) => [
    formatTime(new Date(r.atMs).toISOString()),
    badge(r.kind),
    h('span', { 'data-status': r.status }, tv(r.status) + (r.reason ? ` (${r.reason})` : '')),
    r.changes.map((c) => `${r.target} ${c.parameter}: ${c.before ?? '—'} → ${c.after}`).join('; '),
    r.by,
    r.kind === 'apply' && ['deploying', 'applied', 'verified'].includes(r.status)
      ? h('button', { 'data-action': 'rollback', 'data-change': String(r.id), onclick: () => withToken(() => postJson(`/api/v1/optimize/changes/${r.id}/rollback`), 'rolled_back', refresh) }, t('rollback'))
      : '',
  ]), { 'data-list': 'history' }));
}

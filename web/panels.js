// The list panels: status banner, issues, recommendations, alerts, silences, sources.
import { badge, fill, h, note, table } from './dom.js';
import { formatTime } from './format.js';
import { inLanguage, t, tv } from './i18n.js';

export function renderBanner(environments, analysis) {
  const banner = document.querySelector('#banner');
  banner.replaceChildren(...environments.map((env) => {
    const status = env.status;
    return h('div', { class: `status ${status ?? 'none'}`, 'data-env': env.name, 'data-status': status ?? 'none' },
      h('strong', {}, env.name), ' ',
      h('span', { class: 'status-text' }, t(status ? `status_${status}` : 'status_none')), ' ',
      env.analyzedAt ? h('small', {}, t('analyzed_at', { at: formatTime(env.analyzedAt) })) : null,
      analysis && analysis.environment === env.name && analysis.issues.length ? h('small', {}, ` · ${analysis.issues.length} ${t('section_issues')}`) : null);
  }));
}

export function renderIssues(analysis) {
  if (!analysis) return fill('issues', note('status_none'));
  if (!analysis.issues.length) return fill('issues', note('no_issues'));
  fill('issues', table(['severity', 'type', 'description', 'recommendation'], analysis.issues.map((i) => {
    const words = inLanguage(i);
    return [badge(i.severity), i.type, words.description, words.recommendation];
  }), { 'data-list': 'issues' }));
}

export function renderRecommendations(answer) {
  const list = answer?.recommendations ?? [];
  if (!answer?.analyzedAt) return fill('recommendations', note('status_none'));
  if (!list.length) return fill('recommendations', note('no_recommendations'));
  fill('recommendations', h('ol', { 'data-list': 'recommendations' }, list.map((r) => {
    const words = inLanguage(r);
    return h('li', {}, badge(r.priority), ' ', h('strong', {}, words.description), h('div', { class: 'muted' }, `${t('impact')}: ${words.impact} · ${t('effort')}: ${tv(r.effort)}`));
  })));
}

function deliveryText(d) {
  return `${d.channel}: ${tv(d.status)}${d.attempts > 1 ? ` ×${d.attempts}` : ''}${d.reason ? ` (${d.reason})` : ''}`;
}

export function renderAlerts(answer) {
  if (answer === null) return fill('alerts', note('not_available', 'not-available'));
  const alerts = answer.alerts ?? [];
  if (!alerts.length) return fill('alerts', note('no_alerts'));
  fill('alerts', table(['severity', 'type', 'state', 'starts', 'deliveries'], alerts.map((a) => [
    badge(a.severity),
    h('span', { title: a.description }, a.rule),
    badge(a.phase),
    formatTime(a.startsAt ?? a.activeSince),
    h('ul', { class: 'deliveries' }, a.deliveries.map((d) => h('li', { 'data-delivery': d.status }, deliveryText(d)))),
  ]), { 'data-list': 'alerts' }));
}

export function renderSilences(answer) {
  if (answer === null) return fill('silences', note('not_available', 'not-available'));
  const silences = answer.silences ?? [];
  if (!silences.length) return fill('silences', note('no_silences'));
  const matcher = (m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}${m.value}`;
  fill('silences', table(['matchers', 'ends', 'by', 'message'], silences.map((s) => [
    (s.matchers ?? []).map((m) => (typeof m === 'string' ? m : matcher(m))).join(', '),
    formatTime(s.endsAt ?? (s.endsMs ? new Date(s.endsMs).toISOString() : null)),
    s.createdBy ?? '', s.comment ?? '',
  ])));
}

export function renderSources(answer) {
  const entries = Object.entries(answer?.sources ?? {});
  if (!entries.length) return fill('sources', note('no_data'));
  fill('sources', table(['source', 'state', 'message'], entries.map(([name, s]) => [
    name,
    h('span', { class: `badge ${s.status}` }, t(s.status)),
    s.status === 'error' ? `${s.message}${s.reason ? ` (${s.reason})` : ''}` : (s.detail ?? ''),
  ]), { 'data-list': 'sources' }));
}

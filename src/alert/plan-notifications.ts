import type { AlertState } from '../analyze/alert-state.js';
import { needsUpdate, type GroupState } from './dedup.js';
import { groupAlerts, type ChannelRoute } from './group.js';
import type { Notification } from './notification.js';
import { groupNotification } from './outbox.js';
import { isSilenced, type Silence } from './silence.js';

export interface NotificationPlan {
  readonly groups: GroupState[];
  readonly droppedGroups: string[];
  readonly outbox: Notification[];
}

/**
 * One pass of the pipeline over every alert: group → silence → dedup → outbox. Pure, with
 * the clock injected. A new group waits `groupWait`; after a notification the group waits
 * `groupInterval` before the next one, and from then on every pass notifies as soon as
 * `needsUpdate` says so. (The Alertmanager looks only on a fixed `groupInterval` tick, which
 * can hold a change for up to a whole interval more: here a resolution seen by the analysis
 * is sent at once when the group has been quiet for `groupInterval`.) A silenced alert
 * counts as absent, so it is told once its silence ends. An alert whose severity changed is told
 * again (a severity is a label, as in Prometheus), and a group whose route no longer takes it
 * tells it as resolved.
 */
export function planNotifications(
  states: readonly AlertState[],
  previous: ReadonlyMap<string, GroupState>,
  routes: readonly ChannelRoute[],
  silences: readonly Silence[],
  nowMs: number,
  externalUrl: string,
): NotificationPlan {
  const plan: NotificationPlan = { groups: [], droppedGroups: [], outbox: [] };
  const seen = new Set<string>();
  for (const group of groupAlerts(states, routes, previous)) {
    seen.add(group.key);
    const prev = previous.get(group.key) ?? null;
    const notified = new Set(prev?.notifiedFiring ?? []);
    const toldAs = (a: AlertState) => prev?.notifiedSeverity?.[a.fingerprint] ?? a.severity;
    const live = group.alerts.filter((a) => !isSilenced({ ...a.labels, severity: a.severity }, silences, nowMs));
    const firing = live.filter((a) => a.phase === 'firing');
    const resolved = live.filter((a) => a.phase === 'resolved' && notified.has(a.fingerprint));
    if (!prev && firing.length === 0) continue;
    let state: GroupState = prev ?? { key: group.key, channel: group.channel, createdMs: nowMs, nextFlushMs: nowMs + group.timing.groupWaitMs, lastNotifiedMs: null, notifiedFiring: [], notifiedSeverity: {} };
    if (nowMs < state.nextFlushMs) {
      if (!prev) plan.groups.push(state);
      continue;
    }
    const firingNow = new Map(firing.map((a) => [a.fingerprint, a.severity]));
    const ended = new Set([...resolved, ...group.departed].map((a) => a.fingerprint));
    if (needsUpdate(state, firingNow, ended, nowMs, group.timing.repeatIntervalMs)) {
      // Told before at another severity: that one has ended (for a firing alert, a resolved
      // alert at the old severity beside the firing one at the new).
      const retired = [...firing.filter((a) => notified.has(a.fingerprint) && toldAs(a) !== a.severity), ...group.departed]
        .map((a) => ({ state: a, severity: toldAs(a) }));
      plan.outbox.push(groupNotification(group, [...firing, ...resolved], retired, nowMs, externalUrl));
      state = { ...state, lastNotifiedMs: nowMs, notifiedFiring: [...firingNow.keys()], notifiedSeverity: Object.fromEntries(firingNow), nextFlushMs: nowMs + group.timing.groupIntervalMs };
    }
    if (firing.length === 0 && state.notifiedFiring.length === 0) plan.droppedGroups.push(group.key);
    else if (state !== prev) plan.groups.push(state);
  }
  for (const key of previous.keys()) if (!seen.has(key)) plan.droppedGroups.push(key);
  return plan;
}

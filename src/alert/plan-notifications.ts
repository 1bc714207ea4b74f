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
 * counts as absent, so it is told once its silence ends.
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
  for (const group of groupAlerts(states, routes)) {
    seen.add(group.key);
    const prev = previous.get(group.key) ?? null;
    const notified = new Set(prev?.notifiedFiring ?? []);
    const live = group.alerts.filter((a) => !isSilenced({ ...a.labels, severity: a.severity }, silences, nowMs));
    const firing = live.filter((a) => a.phase === 'firing');
    const resolved = live.filter((a) => a.phase === 'resolved' && notified.has(a.fingerprint));
    if (!prev && firing.length === 0) continue;
    let state: GroupState = prev ?? { key: group.key, channel: group.channel, createdMs: nowMs, nextFlushMs: nowMs + group.timing.groupWaitMs, lastNotifiedMs: null, notifiedFiring: [] };
    if (nowMs < state.nextFlushMs) {
      if (!prev) plan.groups.push(state);
      continue;
    }
    const firingSet = new Set(firing.map((a) => a.fingerprint));
    if (needsUpdate(state, firingSet, new Set(resolved.map((a) => a.fingerprint)), nowMs, group.timing.repeatIntervalMs)) {
      plan.outbox.push(groupNotification(group, [...firing, ...resolved], nowMs, externalUrl));
      state = { ...state, lastNotifiedMs: nowMs, notifiedFiring: [...firingSet], nextFlushMs: nowMs + group.timing.groupIntervalMs };
    }
    if (firing.length === 0 && state.notifiedFiring.length === 0) plan.droppedGroups.push(group.key);
    else if (state !== prev) plan.groups.push(state);
  }
  for (const key of previous.keys()) if (!seen.has(key)) plan.droppedGroups.push(key);
  return plan;
}

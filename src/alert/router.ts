import { advanceAlerts, type AlertState } from '../analyze/alert-state.js';
import type { Locale } from '../analyze/analysis.js';
import { evaluateRules, type EvaluateContext } from '../analyze/evaluate-rules.js';
import { fingerprint } from '../analyze/fingerprint.js';
import type { Rule } from '../analyze/rules.js';
import type { Logger } from '../log.js';
import type { Snapshot } from '../model/snapshot.js';
import type { AlertStore } from '../store/alert-store.js';
import type { GroupState } from './dedup.js';
import { channelRoutes, routeMatches, type AlertsSettings } from './group.js';
import type { Notifier } from './notifier.js';
import { eventNotification } from './outbox.js';
import { planNotifications } from './plan-notifications.js';
import { isSilenced, type Silence } from './silence.js';

export interface AlertRouterOptions {
  readonly store: AlertStore;
  readonly alerts: AlertsSettings;
  readonly rules: readonly Rule[];
  readonly locale: Locale;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** The original's `sendAlert`, grown into a router: states → groups → outbox. */
export interface AlertRouter extends Notifier {
  /** After each analysis: advances the alert states from the snapshot and flushes groups. */
  observe(snapshot: Snapshot, context?: EvaluateContext): Promise<readonly AlertState[]>;
  /** Looks at the groups again (their group_wait/group_interval timers). */
  flush(): Promise<void>;
  /** `flush`, but only once a timer of the last pass is due: cheap to call every 250 ms. */
  flushDue(): Promise<void>;
}

/**
 * How long `flushDue` may go without looking: silences expired and states written by another
 * process (the CLI, a second perfpilot) are seen within this, or at the next analysis.
 */
export const MAX_IDLE_MS = 5_000;

/**
 * When a pass over these groups and silences can next tell something new without a new
 * analysis: a group's group_wait/group_interval ends, a repeat falls due (at the shortest
 * repeatInterval of any route, to be safe), or a silence ends. Pure.
 */
export function nextDueMs(groups: Iterable<GroupState>, silences: readonly Silence[], repeatMs: number, nowMs: number): number {
  const times = [nowMs + MAX_IDLE_MS];
  for (const g of groups) {
    times.push(g.nextFlushMs);
    if (g.lastNotifiedMs !== null && g.notifiedFiring.length > 0) times.push(g.lastNotifiedMs + repeatMs);
  }
  for (const s of silences) times.push(s.endsMs);
  return Math.min(...times.filter((t) => t > nowMs));
}

const PHASE_EVENT = { pending: 'Alert pending', firing: 'Alert firing', resolved: 'Alert resolved', inactive: 'Alert inactive' } as const;

/**
 * Creates the router. Every pass is serialized and written in one transaction, so the
 * outbox, the group states and the alert states never disagree, even after a crash.
 *
 * @example
 * const router = createAlertRouter({ store, alerts: config.alerts, rules, locale: 'en', logger });
 * await router.observe(snapshot);
 */
export function createAlertRouter(options: AlertRouterOptions): AlertRouter {
  const { store, alerts, logger } = options;
  const now = options.now ?? Date.now;
  const routes = channelRoutes(alerts);
  const repeatMs = Math.min(...routes.map((r) => r.timing.repeatIntervalMs));
  // Unknown until the first pass.
  let dueMs = -Infinity;
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work, work);
    chain = run.catch(() => undefined);
    return run;
  };

  async function pass(nowMs: number, changed: readonly AlertState[]): Promise<void> {
    const byKey = new Map((await store.alertStates()).map((s) => [`${s.environment}/${s.fingerprint}`, s]));
    for (const s of changed) byKey.set(`${s.environment}/${s.fingerprint}`, s);
    const groups = new Map((await store.groupStates()).map((g) => [g.key, g]));
    const silences = await store.silences({ activeAtMs: nowMs });
    const plan = planNotifications([...byKey.values()], groups, routes, silences, nowMs, alerts.externalUrl);
    // Most passes change nothing: skip the empty transaction.
    if (changed.length || plan.groups.length || plan.droppedGroups.length || plan.outbox.length) await store.commitAlerts({ states: changed, ...plan, atMs: nowMs });
    for (const g of plan.groups) groups.set(g.key, g);
    for (const key of plan.droppedGroups) groups.delete(key);
    dueMs = nextDueMs(groups.values(), silences, repeatMs, nowMs);
  }

  return {
    observe: (snapshot, context = {}) => exclusive(async () => {
      const nowMs = now();
      const previous = new Map((await store.alertStates(snapshot.environment)).map((s) => [s.fingerprint, s]));
      const next = advanceAlerts(previous, evaluateRules(snapshot, options.rules, context), nowMs, options.locale);
      for (const s of next) {
        if (previous.get(s.fingerprint)?.phase === s.phase) continue;
        if (s.phase === 'inactive' && !previous.has(s.fingerprint)) continue;
        logger.info({ environment: s.environment, alert: s.rule, severity: s.severity, labels: s.labels, value: s.value }, PHASE_EVENT[s.phase]);
      }
      await pass(nowMs, next);
      return next;
    }),
    flush: () => exclusive(() => pass(now(), [])),
    flushDue: () => exclusive(async () => {
      const nowMs = now();
      if (nowMs >= dueMs) await pass(nowMs, []);
    }),
    notify: (event) => exclusive(async () => {
      const nowMs = now();
      const labels = { alertname: event.name, environment: event.environment, ...event.labels };
      const silences = await store.silences({ activeAtMs: nowMs });
      if (isSilenced({ ...labels, severity: event.severity }, silences, nowMs)) return;
      const channels = new Set(routes.filter((r) => routeMatches(r, labels, event.severity)).map((r) => r.channel));
      const fp = fingerprint(labels);
      const outbox = [...channels].map((channel) => eventNotification(channel, event, labels, fp, nowMs, alerts.externalUrl));
      await store.commitAlerts({ states: [], groups: [], droppedGroups: [], outbox, atMs: nowMs });
      logger.info({ environment: event.environment, event: event.name, channels: [...channels] }, 'Notification queued');
    }),
  };
}

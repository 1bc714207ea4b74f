import type { AlertState } from '../analyze/alert-state.js';
import type { Severity } from '../analyze/analysis.js';
import type { LoadedConfigValues } from '../config/load.js';
import type { GroupState } from './dedup.js';

/** The validated, frozen `alerts:` section. */
export type AlertsSettings = LoadedConfigValues['alerts'];
type RouteSettings = NonNullable<AlertsSettings['routes']>[number];

export interface Timing {
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
}

/** One route as it applies to one channel. `groupBy: 'each'` makes every alert its own group. */
export interface ChannelRoute {
  readonly route: number;
  readonly channel: string;
  readonly match: RouteSettings['match'];
  readonly groupBy: readonly string[] | 'each';
  readonly timing: Timing;
}

/** A group of alerts for one channel: the unit that is notified. */
export interface AlertGroup {
  readonly key: string;
  readonly channel: string;
  readonly timing: Timing;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly AlertState[];
  /**
   * Alerts the group last told as firing that its route no longer takes (their severity
   * changed): the group still owes them a resolved notification.
   */
  readonly departed: readonly AlertState[];
}

/**
 * The routes per channel. Without `routes`, every channel gets everything. An alertmanager
 * channel does its own grouping: perfpilot sends it each alert as it changes and re-sends
 * firing ones every `resendInterval`, as its API expects.
 */
export function channelRoutes(config: AlertsSettings): ChannelRoute[] {
  const routes: readonly RouteSettings[] = config.routes ?? [{ channels: config.channels.map((c) => c.name), match: {} }];
  const out: ChannelRoute[] = [];
  routes.forEach((route, index) => {
    for (const name of route.channels) {
      const channel = config.channels.find((c) => c.name === name);
      if (!channel) continue;
      if (channel.type === 'alertmanager') {
        out.push({ route: index, channel: name, match: route.match, groupBy: 'each', timing: { groupWaitMs: 0, groupIntervalMs: 0, repeatIntervalMs: channel.resendInterval } });
        continue;
      }
      out.push({
        route: index,
        channel: name,
        match: route.match,
        groupBy: route.groupBy ?? config.grouping.groupBy,
        timing: {
          groupWaitMs: route.groupWait ?? config.grouping.groupWait,
          groupIntervalMs: route.groupInterval ?? config.grouping.groupInterval,
          repeatIntervalMs: route.repeatInterval ?? config.grouping.repeatInterval,
        },
      });
    }
  });
  return out;
}

/** Whether a route takes an alert with these labels and severity. */
export function routeMatches(route: Pick<ChannelRoute, 'match'>, labels: Readonly<Record<string, string>>, severity: Severity): boolean {
  const { match } = route;
  if (match.severity && !match.severity.includes(severity)) return false;
  if (match.environment && !match.environment.includes(labels.environment ?? '')) return false;
  return Object.entries(match.labels ?? {}).every(([k, v]) => labels[k] === v);
}

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

/**
 * The group stage: puts every firing or resolved alert into a group per matching route and
 * channel, keyed by the values of the route's `groupBy` labels (`severity` among them). An
 * alert a group last told as firing stays with it as `departed` once it belongs there no more
 * (its severity changed: the route no longer takes it, or it groups by severity), so a page
 * sent for a critical alert is resolved when it falls back to warning. Pure.
 */
export function groupAlerts(states: readonly AlertState[], routes: readonly ChannelRoute[], previous: ReadonlyMap<string, GroupState> = new Map()): AlertGroup[] {
  const groups = new Map<string, { key: string; channel: string; timing: Timing; groupLabels: Record<string, string>; alerts: AlertState[]; departed: AlertState[] }>();
  const groupOf = (route: ChannelRoute, state: AlertState, severity: Severity) => {
    const labels: Record<string, string> = { ...state.labels, severity };
    const groupLabels = route.groupBy === 'each'
      ? { ...state.labels }
      : Object.fromEntries(route.groupBy.filter((l) => labels[l] !== undefined).map((l) => [l, labels[l]!]));
    const key = `${route.route}/${route.channel}/${JSON.stringify(Object.entries(groupLabels).sort())}`;
    const group = groups.get(key) ?? { key, channel: route.channel, timing: route.timing, groupLabels, alerts: [], departed: [] };
    groups.set(key, group);
    return group;
  };
  for (const state of states) {
    if (state.phase !== 'firing' && state.phase !== 'resolved') continue;
    for (const route of routes) {
      const home = routeMatches(route, state.labels, state.severity) ? groupOf(route, state, state.severity) : null;
      home?.alerts.push(state);
      const left = new Set<string>();
      for (const severity of SEVERITIES) {
        const key = groupOf(route, state, severity).key;
        if (key !== home?.key && previous.get(key)?.notifiedFiring.includes(state.fingerprint)) left.add(key);
      }
      for (const key of left) groups.get(key)!.departed.push(state);
    }
  }
  return [...groups.values()].filter((g) => g.alerts.length > 0 || g.departed.length > 0);
}

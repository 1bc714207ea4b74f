import type { SettingChange } from './proposal.js';

/** Changes grouped by resource, in first-seen order: each group is written as one update. */
export function groupByResource(changes: readonly SettingChange[]): SettingChange[][] {
  const groups = new Map<string, SettingChange[]>();
  for (const c of changes) {
    const group = groups.get(c.resource) ?? [];
    group.push(c);
    groups.set(c.resource, group);
  }
  return [...groups.values()];
}

/** The changes that undo `changes`: after and before swapped. */
export function inverse(changes: readonly SettingChange[]): SettingChange[] {
  return changes.flatMap((c) => (c.before === null ? [] : [{ ...c, before: c.after, after: c.before }]));
}

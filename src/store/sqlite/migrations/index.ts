import type { Migration } from '../migrate.js';
import { initial } from './001-initial.js';
import { alerts } from './002-alerts.js';
import { optimizations } from './003-optimizations.js';
import { optimizationPlans } from './004-optimization-plans.js';

/**
 * Every schema change, in order. A migration is never edited once landed; add the next one.
 * Numbers are reserved per area so parallel work does not collide:
 * 001 samples/snapshots/analyses/events, 002 alerts and outbox, 003 optimizer audit, 004 optimizer plans.
 */
export const MIGRATIONS: readonly Migration[] = [initial, alerts, optimizations, optimizationPlans];

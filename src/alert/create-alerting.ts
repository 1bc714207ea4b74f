import { createChannel } from './channels/create-channel.js';
import { createDeliveryLoop, type DeliveryLoop } from './delivery-loop.js';
import type { Channel } from './notification.js';
import { createAlertRouter, type AlertRouter, type AlertRouterOptions } from './router.js';

export interface Alerting {
  readonly router: AlertRouter;
  readonly delivery: DeliveryLoop;
  readonly channels: ReadonlyMap<string, Channel>;
}

/**
 * The router and its delivery loop from `alerts:`, over one store. Start `delivery` to send;
 * it also runs the group timers. Stop it on shutdown.
 *
 * @example
 * const alerting = createAlerting({ store, alerts: config.alerts, rules: resolveRules(config.rules), locale: config.locale, logger });
 * alerting.delivery.start();
 */
export function createAlerting(options: AlertRouterOptions & {
  readonly random?: () => number;
  readonly pollMs?: number;
}): Alerting {
  const channels = new Map(options.alerts.channels.map((c) => [c.name, createChannel(c, options.logger)]));
  const router = createAlertRouter(options);
  const delivery = createDeliveryLoop({
    store: options.store,
    channels,
    logger: options.logger,
    timeoutMs: options.alerts.delivery.timeout,
    initialBackoffMs: options.alerts.delivery.initialBackoff,
    maxBackoffMs: options.alerts.delivery.maxBackoff,
    beforePass: () => router.flushDue(),
    ...(options.random ? { random: options.random } : {}),
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { router, delivery, channels };
}

import { pino, destination, type Logger, type DestinationStream } from 'pino';
import { redactSecrets } from './util/redact.js';

export type { Logger };

/**
 * Structured JSON logs. Known secret keys are censored, and every string passing through
 * `err` or `msg` has URL passwords removed, so a connection error cannot leak one.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: 'perfpilot',
      level: options.level ?? process.env.PERFPILOT_LOG_LEVEL ?? 'info',
      redact: {
        paths: ['*.password', '*.token', '*.apiKey', '*.appKey', '*.secret', '*.authorization', 'headers.authorization', '*.url', '*.*.url'],
        censor: (value: unknown) => (typeof value === 'string' ? redactSecrets(value) : '[redacted]'),
      },
      serializers: {
        err: (err: Error) => ({ type: err.name, message: redactSecrets(err.message), ...(err.stack ? { stack: redactSecrets(err.stack) } : {}) }),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? destination({ dest: 2, sync: false }),
  );
}

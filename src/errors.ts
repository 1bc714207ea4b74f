/**
 * The one error class that reaches a user. The CLI turns it into a message and `exitCode`,
 * the HTTP layer into `httpStatus` and a JSON body.
 */
export class PerfpilotError extends Error {
  readonly exitCode: number;
  readonly httpStatus: number;
  constructor(message: string, options: { exitCode?: number; httpStatus?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PerfpilotError';
    this.exitCode = options.exitCode ?? 1;
    this.httpStatus = options.httpStatus ?? 500;
  }
}

/** sysexits EX_CONFIG: the configuration is wrong. */
export const EXIT_CONFIG = 78;

export class ConfigError extends PerfpilotError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_CONFIG, httpStatus: 400 });
    this.name = 'ConfigError';
  }
}

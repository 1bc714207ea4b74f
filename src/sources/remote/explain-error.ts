import type { FailureReason } from '../../model/snapshot.js';
import { failureReason } from '../failure-reason.js';
import { SourceError } from '../source.js';
import { redactSecrets } from '../../util/redact.js';
import { httpStatusOf, innermostMessage, statusLine } from './failure-signals.js';

/** What a message may quote about a failed request; secrets are already redacted. */
export interface FailedRequest {
  /** The service as messages name it: its URL, or e.g. "CloudWatch in us-east-1". */
  readonly target: string;
  /** The error's name, e.g. "ThrottlingException". */
  readonly name: string;
  /** The answer's status phrase, e.g. "403 Forbidden"; '' where there was no answer. */
  readonly statusLine: string;
  /** The error's own message. */
  readonly message: string;
  /** The innermost cause's message: "connect ECONNREFUSED …" rather than "fetch failed". */
  readonly cause: string;
}

type Say = (failed: FailedRequest) => string;

/** How one remote source words its failures; the first table that has an entry for the failure speaks. */
export interface Explanations {
  readonly target: string;
  /** By error name (AWS error codes), tried first. */
  readonly byName?: Readonly<Record<string, Say>>;
  /**
   * By HTTP status. A source with this table reads the status, and says `<status> from <target>: <message>`
   * for one it does not list; one without it (CloudWatch, whose SDK errors say more by name) ignores it.
   */
  readonly byStatus?: Readonly<Record<number, Say>>;
  /** By failure reason, before the common wording for network and timeout failures. */
  readonly byReason?: Readonly<Partial<Record<FailureReason, Say>>>;
  /** For what nothing above explains. */
  readonly otherwise?: Say;
}

const COMMON_BY_REASON: Readonly<Partial<Record<FailureReason, Say>>> = {
  network: (f) => `cannot reach ${f.target}: ${f.cause}`,
  timeout: (f) => `${f.target} did not answer in time: ${f.message}`,
};
const unlistedStatus: Say = (f) => `${f.statusLine} from ${f.target}: ${f.message}`;
const unexplained: Say = (f) => `${f.target}: ${f.cause}`;

/** Rewrites a failed request to a remote source as a SourceError that says what to fix. */
export function explainRemoteError(err: unknown, explanations: Explanations): SourceError {
  if (err instanceof SourceError) return err;
  const reason = failureReason(err);
  const name = (err as { name?: string } | null)?.name ?? 'Error';
  const status = explanations.byStatus ? httpStatusOf(err) : null;
  const failed: FailedRequest = {
    target: explanations.target,
    name,
    statusLine: status === null ? '' : statusLine(status),
    message: redactSecrets(err instanceof Error ? err.message : String(err)),
    cause: redactSecrets(innermostMessage(err)),
  };
  const say = entry(explanations.byName, name)
    ?? (status === null ? null : entry(explanations.byStatus, status) ?? unlistedStatus)
    ?? entry(explanations.byReason, reason)
    ?? entry(COMMON_BY_REASON, reason)
    ?? explanations.otherwise
    ?? unexplained;
  return new SourceError(say(failed), reason, { cause: err });
}

function entry<K extends PropertyKey>(table: Readonly<Partial<Record<K, Say>>> | undefined, key: K): Say | null {
  return table && Object.hasOwn(table, key) ? table[key] ?? null : null;
}

import type { Severity, Status } from './analysis.js';

/** The original derivation: critical if any issue is high, warning if any is medium. */
export function deriveStatus(severities: Iterable<Severity>): Status {
  let status: Status = 'healthy';
  for (const s of severities) {
    if (s === 'high') return 'critical';
    if (s === 'medium') status = 'warning';
  }
  return status;
}

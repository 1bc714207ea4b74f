import type { Analysis, Status } from '../analyze/analysis.js';
import { metricUnit } from '../analyze/derived-metrics.js';
import { formatReading } from './snapshot-table.js';
import { renderTable } from './table.js';

/** `perfpilot analyze`'s exit code: 0 healthy, 1 warning, 2 critical, so a pipeline can gate on it. */
export const EXIT_FOR_STATUS: Readonly<Record<Status, number>> = { healthy: 0, warning: 1, critical: 2 };

/**
 * An analysis for people: the status line, each issue with the readings that triggered it
 * and its recommendation, the ranked recommendations, then the rules that had no data.
 */
export function formatAnalysis(analysis: Analysis, from: string): string {
  const lines = [
    `status: ${analysis.status.toUpperCase()}  (environment ${analysis.environment}, window ${analysis.window.start} → ${analysis.window.end}, ${from})`,
    '',
  ];
  if (analysis.issues.length === 0) lines.push('no issues');
  else {
    const rows = [['severity', 'issue', 'reading', 'description', 'recommendation']];
    for (const issue of analysis.issues) {
      const readings = Object.entries(issue.metrics)
        .map(([field, value]) => `${field} = ${formatReading(value ?? null, metricUnit(field))}`)
        .join(', ');
      rows.push([issue.severity, issue.type, readings, issue.description, issue.recommendation]);
    }
    lines.push(renderTable(rows));
  }
  if (analysis.recommendations.length > 0) {
    lines.push('', renderTable([['priority', 'recommendation', 'impact', 'effort'], ...analysis.recommendations.map((r) => [r.priority, r.description, r.impact, r.effort])]));
  }
  if (analysis.noData.length > 0) {
    lines.push('', `no data (not evaluated): ${analysis.noData.map((n) => `${n.rule} (${n.field})`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

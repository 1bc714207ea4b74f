/**
 * Plain text columns for people: each column as wide as its widest cell, two spaces apart.
 *
 * @example renderTable([['field', 'value'], ['cpu.usage', '12.0 %']])
 */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

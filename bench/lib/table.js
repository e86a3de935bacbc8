/**
 * Prints a table as Markdown, so what a run prints can be pasted into bench/README.md as is and
 * still reads well in a terminal (columns are padded to their widest cell).
 */

/**
 * @param {string} title heading printed above the table
 * @param {string[]} columns header cells
 * @param {Array<Array<string | number>>} rows body cells, one array a row
 * @param {string[]} [notes] lines printed under the table
 */
export function printTable(title, columns, rows, notes = []) {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row) => `| ${row.map((cell, i) => (cell ?? '').padEnd(widths[i])).join(' | ')} |`;
  const out = [`\n### ${title}\n`, line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  for (const row of cells.slice(1)) out.push(line(row));
  if (notes.length > 0) out.push('', ...notes);
  console.log(out.join('\n'));
}

/** `met` or `MISSED` for a figure against its target, so a missed target stands out. */
export function verdict(met) {
  return met ? 'met' : 'MISSED';
}

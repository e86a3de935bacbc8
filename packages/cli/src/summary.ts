import type { ImportSummary } from '@supportdesk/core';
import { count, seconds } from './progress/format.js';

/** What the command reports at the end, on stdout (as JSON with `--json`). */
export interface RunReport extends ImportSummary {
  input: string;
  dryRun: boolean;
  /** Rows passed over at the start (`--skip`, or a checkpoint's resume point). */
  skipped: number;
  /** Where failed and invalid rows were written, when any were. */
  errorsFile: string | null;
  /** Lines written to the errors file by this run. */
  errorRows: number;
  exitCode: number;
}

const pad = (label: string, value: number) => `  ${label.padEnd(10)} ${count(value).padStart(10)}`;

/** The summary as lines of text. */
export function summaryText(report: RunReport): string {
  const rows = report.completed - report.skipped;
  const lines: string[] = [];
  const resumed = report.skipped > 0 ? ` after the first ${count(report.skipped)} rows` : '';
  const took = `in ${seconds(report.durationMs)}`;
  const stopped = report.aborted ? ', then interrupted' : '';
  if (report.dryRun)
    lines.push(
      `Dry run of ${report.input}: ${count(rows)} rows checked${resumed} ${took}${stopped}; nothing was sent`,
    );
  else lines.push(`Imported ${report.input}: ${count(rows)} rows${resumed} ${took}${stopped}`);
  if (report.dryRun) lines.push(pad('valid', rows - report.invalid - report.ignored));
  else
    lines.push(
      pad('created', report.created),
      pad('updated', report.updated),
      pad('unchanged', report.unchanged),
    );
  lines.push(pad('ignored', report.ignored));
  if (!report.dryRun) lines.push(pad('failed', report.failed));
  lines.push(pad('invalid', report.invalid));
  if (report.errorsFile !== null && report.errorRows > 0)
    lines.push(
      `${count(report.errorRows)} rows are in ${report.errorsFile}: fix them (or your --map), then import that file the same way`,
    );
  return `${lines.join('\n')}\n`;
}

/** The summary as one JSON line, for scripts. */
export function summaryJson(report: RunReport): string {
  return `${JSON.stringify(report)}\n`;
}

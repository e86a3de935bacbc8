#!/usr/bin/env node
import { version } from '../package.json';
import { parseImportArgs } from './args.js';
import { EXIT, type Io, runImport } from './run-import.js';
import { IMPORT_USAGE, MAIN_USAGE } from './usage.js';
import { UsageError } from './usage-error.js';

const io: Io = {
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
  exitNow: (code) => process.exit(code),
};

/** Runs the command line and answers the exit status. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(MAIN_USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  if (command !== 'import')
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}: try supportdesk import <file> (see supportdesk --help)`,
    );
  const args = parseImportArgs(rest);
  if (args === 'help') {
    process.stdout.write(IMPORT_USAGE);
    return EXIT.ok;
  }
  return runImport(args, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`supportdesk: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    // A bug of the command itself: say so in one line, and keep the stack for whoever debugs it.
    process.stderr.write(
      `supportdesk: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (process.env.SUPPORTDESK_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    process.exitCode = EXIT.usage;
  },
);

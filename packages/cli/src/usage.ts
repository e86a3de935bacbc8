/** The help texts of the command. */

export const MAIN_USAGE = `Usage: supportdesk <command> [options]

Commands:
  import <file | ->   load an existing user base into SupportDesk (JSONL, CSV or JSON)

Options:
  -h, --help          show this help
  -v, --version       print the version

Run supportdesk import --help for the import's options.
`;

export const IMPORT_USAGE = `Usage: supportdesk import <file | -> [options]

Upserts every row of a JSONL, CSV or JSON file (or of stdin, as JSONL) into SupportDesk as a
customer, at most --concurrency at a time, pausing on rate limits, with a resume point.
The API key is read from SUPPORTDESK_API_KEY only (never a flag, so it stays out of your shell
history); --dry-run needs none.

Options:
  --format jsonl|csv|json  the input's format (default: from the extension; stdin: jsonl)
                           CSV has a header row; JSON is one array of rows
  --map <module>           a module whose default export is mapUser(row) => ({ externalId, email,
                           name, phone?, avatarUrl?, metadata? }) or null; resolved from the
                           working directory (default: the default mapping: id, name, email, …)
  --concurrency <n>        upserts in flight at most, 1 to 1,000 (default: 8)
  --max-per-second <n>     upserts per second at most (default: none; a 429 always slows down)
  --checkpoint <file>      write progress there (at least every second, and on exit); a run that
                           finds it resumes after the rows it says are done; removed at the end
  --skip <n>               pass over the first n rows (default: 0)
  --errors <file>          where failed and invalid rows go, one JSON line each with its line,
                           id and error; give that file back as the input to retry them
                           (default: <input>.errors.jsonl, stdin: supportdesk-import.errors.jsonl)
  --dry-run                map and validate every row, send nothing
  --base-url <url>         the API (default: SUPPORTDESK_BASE_URL, else the SupportDesk API)
  --redis <url>            share the dedupe store of your live sync (RedisSyncStore): users it
                           already synced with the same data are skipped
  --json                   print the summary as JSON
  -h, --help               show this help

Progress goes to stderr (a bar on a terminal, a line every 5 s otherwise), the summary to stdout.
Ctrl-C stops cleanly: the upserts in flight finish, the checkpoint is written, and the command
says how to resume.

Exit status: 0 every row sent; 1 some rows failed or were invalid (all in the errors file);
2 a usage or configuration error, or the key was refused; 130 interrupted (SIGINT, SIGTERM).

Examples:
  SUPPORTDESK_API_KEY=sk_... supportdesk import users.csv --map ./map.js --checkpoint import.ckpt
  cat users.jsonl | supportdesk import - --dry-run
  supportdesk import users.csv.errors.jsonl --map ./map.js
`;

import { defaultMapUser } from '../engine/mapping.js';
import { SYNC_DEFAULTS } from '../engine/options.js';
import { buildClient, type SyncClient } from '../engine/sender-options.js';
import { SupportDeskAuthError, SupportDeskError, SupportDeskValidationError } from '../errors.js';
import { GuardedStore } from '../store/guarded-store.js';
import { isThenable, messageOf } from '../util.js';
import { type ImportLog, importLog } from './log.js';
import {
  CALLER,
  checkSource,
  type ImportOptions,
  type ResolvedImportOptions,
  resolveImportOptions,
} from './options.js';
import { Pace } from './pace.js';
import { Pause } from './pause.js';
import { Positions } from './positions.js';
import { type Prepared, prepare, type Ready } from './prepare.js';
import { type ImportFailure, type ImportSummary, type RowOutcome, Tally } from './progress.js';
import { type Answer, type Outbound, Sender } from './sender.js';
import { closeQuietly, nextRow, openSource, type Source, STOPPED, StopSignal } from './source.js';

/** The rejection of an import stopped by 401/403: the client's error, with the counts so far. */
export type ImportAuthError = SupportDeskAuthError & {
  /** The counts when the import stopped; `completed` is where to resume once the key is fixed. */
  readonly summary: ImportSummary;
};

/** How far the source is read ahead of the rows settled, beyond `concurrency`. */
const READ_AHEAD = 16;

/** Why the import stopped early. `announce`: this import met the refusal, so the instances sharing the store are told. */
type Stop =
  | { kind: 'abort' }
  | { kind: 'auth'; error: SupportDeskAuthError; announce: boolean }
  | { kind: 'source'; error: unknown };

/**
 * Imports an existing user base: every row of `source` mapped, validated and upserted, at most
 * `concurrency` at a time, reading the source only as fast as rows are sent (memory stays flat
 * whatever its size; nothing is dropped). A 429 pauses every send until its `Retry-After`, then
 * the same rows are sent; a row that still fails after the client's retries is counted `failed`,
 * reported through `onFailure`, and the import goes on. With a `store`, users already synced with
 * the same payload are `unchanged`. Resolves with the counts once every row read has settled.
 *
 * While it runs, the import keeps the process alive (a 429 pause in a script must not let Node
 * exit half-way); once it settles, no timer or listener of it is left.
 *
 * @param source any Iterable or AsyncIterable of your users: an array, a generator, a database cursor.
 * @throws {SupportDeskConfigError} (as a rejection) when an option is wrong or the API key is missing.
 * @throws {SupportDeskAuthError} (as a rejection) when SupportDesk refuses the key (401/403), once
 *   the upserts in flight have settled; its `summary` holds the counts so far ({@link ImportAuthError}).
 * @throws whatever the source throws (as a rejection, with `summary` too), once the upserts in flight have settled.
 * @example
 * const summary = await importCustomers(users, {
 *   apiKey: process.env.SUPPORTDESK_API_KEY,
 *   mapUser: (user) => ({ externalId: user.id, email: user.email, name: user.name }),
 *   onFailure: ({ index, error }) => console.warn(`row ${index}: ${error.message}`),
 * });
 * // { read, completed, created, updated, unchanged, ignored, failed, invalid, durationMs, aborted }
 */
export async function importCustomers<TUser = unknown>(
  source: Iterable<TUser> | AsyncIterable<TUser>,
  options?: ImportOptions<TUser>,
): Promise<ImportSummary> {
  checkSource(source);
  const resolved = resolveImportOptions(options);
  const client = resolved.dryRun ? undefined : (resolved.client ?? buildClient(resolved, CALLER));
  return new ImportRun(resolved, client).run(source);
}

/** What sends, when the import is not a dry run. */
interface Sending {
  sender: Sender;
  pause: Pause;
  store: GuardedStore | undefined;
}

/** One call of importCustomers: reads the source, settles each row, and says when all are settled. */
class ImportRun<TUser> {
  readonly #options: ResolvedImportOptions<TUser>;
  readonly #mapUser: (user: never) => unknown;
  readonly #positions: Positions;
  readonly #tally = new Tally();
  readonly #log: ImportLog;
  readonly #sending: Sending | undefined;
  readonly #storeWrites = new Set<Promise<void>>();
  readonly #stopSignal = new StopSignal();
  /** Rows read and not yet settled or given back. */
  #active = 0;
  #reading = true;
  #stop: Stop | undefined;
  #onIdle: (() => void) | undefined;

  constructor(options: ResolvedImportOptions<TUser>, client: SyncClient | undefined) {
    this.#options = options;
    this.#mapUser = (options.mapUser ?? defaultMapUser) as (user: never) => unknown;
    this.#positions = new Positions(options.concurrency + READ_AHEAD);
    this.#log = importLog(options.logger);
    if (client !== undefined) this.#sending = this.#startSending(client);
  }

  async run(source: Iterable<TUser> | AsyncIterable<TUser>): Promise<ImportSummary> {
    const startedAt = performance.now();
    const { signal } = this.#options;
    const onAbort = () => this.#halt({ kind: 'abort' });
    // Holds the process open until the import settles (see importCustomers); cleared below.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      await this.#read(openSource(source));
      await this.#idle();
      while (this.#storeWrites.size > 0) await Promise.all(this.#storeWrites);
    } finally {
      clearInterval(keepAlive);
      signal?.removeEventListener('abort', onAbort);
      this.#sending?.sender.stop();
    }
    const stop = this.#stop;
    const durationMs = performance.now() - startedAt;
    const summary = this.#tally.summary(this.#positions, durationMs, stop?.kind === 'abort');
    if (stop?.kind === 'auth' || stop?.kind === 'source') throw withSummary(stop.error, summary);
    return summary;
  }

  #startSending(client: SyncClient): Sending {
    const { store: given, concurrency, maxPerSecond } = this.#options;
    const now = () => performance.now();
    let store: GuardedStore | undefined;
    if (given !== undefined) {
      store = new GuardedStore(given, SYNC_DEFAULTS.storeTimeoutMs, this.#log);
      store.init(typeof client.namespace === 'string' ? client.namespace : 'default');
    }
    const pause = new Pause({
      now,
      fleet: store?.sharesHolds ? store : undefined,
      authHoldMs: SYNC_DEFAULTS.authCooldownMs,
      track: (write) => this.#track(write),
      onFleetAuth: (error) => this.#halt({ kind: 'auth', error, announce: false }),
      onPause: () => this.#progress(),
      bug: (error) => this.#log.bug(error),
    });
    const sender = new Sender({
      client,
      concurrency,
      pace: new Pace(maxPerSecond),
      pause,
      now,
      answered: (row, answer) => this.#answered(row, answer),
      bug: (error) => this.#log.bug(error),
    });
    return { sender, pause, store };
  }

  /** Reads rows while the window has room, until the source ends or the import stops. */
  async #read(source: Source<TUser>): Promise<void> {
    const positions = this.#positions;
    const { skip } = this.#options;
    let open = true;
    try {
      while (this.#stop === undefined) {
        if (positions.full) {
          await positions.room();
          continue;
        }
        const next = nextRow(source, this.#stopSignal);
        const step = isThenable(next) ? await next : next;
        if (step === STOPPED || this.#stop !== undefined) break;
        if (step.done === true) {
          open = false;
          break;
        }
        const index = positions.take();
        if (index < skip) {
          // Passed over: settled without being mapped. One progress report once they are all read.
          positions.settle(index);
          if (index === skip - 1) this.#progress();
          continue;
        }
        this.#active++;
        void this.#handle(index, step.value);
      }
    } catch (error) {
      // A source that throws is done: it is not asked to close.
      open = false;
      this.#halt({ kind: 'source', error });
    } finally {
      this.#reading = false;
      if (open) closeQuietly(source);
    }
  }

  /** Maps, validates, claims and hands one row to the sender; the sender's answer settles it. */
  async #handle(index: number, user: TUser): Promise<void> {
    try {
      let prepared: Prepared | Promise<Prepared> = prepare(
        user,
        this.#mapUser,
        this.#sending?.store !== undefined,
      );
      if (isThenable(prepared)) prepared = await prepared;
      if (prepared.kind === 'ignored') this.#settle(index, 'ignored');
      else if (prepared.kind === 'invalid')
        this.#fail(index, user, prepared.externalId, prepared.error, 'invalid');
      else if (this.#sending === undefined) this.#settle(index, 'valid');
      else await this.#claimAndSend(index, user, prepared, this.#sending);
    } catch (error) {
      // Only a bug of the import lands here: the row settles as failed rather than hang the run.
      this.#log.bug(error);
      this.#fail(index, user, undefined, asSupportDeskBug(error), 'failed');
    }
  }

  async #claimAndSend(index: number, user: TUser, ready: Ready, { store, sender }: Sending): Promise<void> {
    let claimed = false;
    if (store !== undefined && this.#stop === undefined) {
      const answer = await store.claim(ready.externalId, ready.fingerprint, this.#options.storeLeaseMs);
      if (answer === 'fresh') return this.#settle(index, 'unchanged');
      // `busy` (another instance is sending this user now) and `unavailable` are sent anyway:
      // an upsert by externalId is idempotent, and an import must never drop a row.
      claimed = answer === 'claimed';
    }
    const row: Outbound = { index, user, ready, claimed };
    if (this.#stop !== undefined) this.#giveBack(row);
    else sender.enqueue(row);
  }

  #answered(row: Outbound, answer: Answer): void {
    const store = this.#sending?.store;
    const { externalId, fingerprint } = row.ready;
    if ('unsent' in answer) {
      this.#giveBack(row);
      return;
    }
    if ('result' in answer) {
      // Recorded even without a claim (another instance held it): this payload did reach SupportDesk.
      if (store !== undefined) this.#track(store.commit(externalId, fingerprint, this.#options.ttlMs));
      this.#settle(row.index, answer.result?.wasCreated === true ? 'created' : 'updated');
      return;
    }
    const { error } = answer;
    if (error instanceof SupportDeskAuthError) {
      // Not this row's failure: the key is refused for every row. The row stays unsettled, so
      // `completed` stops before it and a run with a good key starts from there.
      this.#halt({ kind: 'auth', error, announce: true });
      this.#giveBack(row);
      return;
    }
    if (row.claimed && store !== undefined) this.#track(store.release(externalId, fingerprint));
    // Refused by the client before sending (a payload over maxPayloadBytes): invalid, not failed.
    const invalid = error instanceof SupportDeskValidationError && error.status === undefined;
    this.#fail(row.index, row.user as TUser, externalId, error, invalid ? 'invalid' : 'failed');
  }

  #fail(
    index: number,
    user: TUser,
    externalId: string | undefined,
    error: SupportDeskError,
    outcome: 'failed' | 'invalid',
  ): void {
    const { onFailure } = this.#options;
    if (onFailure !== undefined) {
      const failure: ImportFailure<TUser> = { index, user, error };
      if (externalId !== undefined) failure.externalId = externalId;
      try {
        onFailure(failure);
      } catch {
        // A hook that throws must not stop the import (documented).
      }
    }
    this.#settle(index, outcome);
  }

  #settle(index: number, outcome: RowOutcome): void {
    this.#tally.count(outcome);
    this.#positions.settle(index);
    this.#progress();
    this.#done();
  }

  /** A row the import stopped before sending: its claim is given back and it stays unsettled. */
  #giveBack(row: Outbound): void {
    const store = this.#sending?.store;
    if (row.claimed && store !== undefined)
      this.#track(store.release(row.ready.externalId, row.ready.fingerprint));
    this.#done();
  }

  #done(): void {
    this.#active--;
    if (this.#active === 0 && !this.#reading) this.#onIdle?.();
  }

  #idle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  /** Stops reading and sending; what is in flight settles. The first reason wins. */
  #halt(stop: Stop): void {
    if (this.#stop !== undefined) return;
    this.#stop = stop;
    this.#stopSignal.stop();
    this.#positions.wake();
    if (stop.kind === 'auth' && stop.announce) this.#sending?.pause.refused();
    for (const row of this.#sending?.sender.stop() ?? []) this.#giveBack(row);
  }

  #progress(): void {
    const { onProgress } = this.#options;
    if (onProgress === undefined) return;
    const inFlight = this.#sending?.sender.inFlight ?? 0;
    const paused = this.#sending?.pause.paused ?? false;
    try {
      onProgress(this.#tally.progress(this.#positions, inFlight, paused));
    } catch {
      // A hook that throws must not stop the import (documented).
    }
  }

  #track(write: Promise<void>): void {
    this.#storeWrites.add(write);
    void write.finally(() => this.#storeWrites.delete(write));
  }
}

/** The error an import rejects with, carrying the counts so far (non-enumerable: loggers print it as before). */
function withSummary(error: unknown, summary: ImportSummary): unknown {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') {
    try {
      Object.defineProperty(error, 'summary', { value: summary, configurable: true, writable: true });
    } catch {
      // A frozen error cannot carry the summary; it is still the error the import met.
    }
  }
  return error;
}

function asSupportDeskBug(error: unknown): SupportDeskError {
  return new SupportDeskError(`importCustomers failed on this row unexpectedly: ${messageOf(error)}`, {
    cause: error,
  });
}

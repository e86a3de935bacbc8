import { afterAll, afterEach, beforeAll, expect, type Mock, vi } from 'vitest';
import { CustomerSync } from '../../src/engine/customer-sync.js';
import type { CustomerSyncOptions } from '../../src/engine/options.js';
import type { CustomerInput, UpsertResult } from '../../src/schema.js';
import type { ClaimResult, SyncStore } from '../../src/store/store.js';

// Captured before any test installs fake timers, so waiting a real turn always works.
const realSetImmediate = globalThis.setImmediate;
const nextTurn = () => new Promise((resolve) => realSetImmediate(resolve));

/**
 * Fails the test file when anything the engine does leaves a rejection unhandled: the SDK
 * must never surface one in its host.
 */
export function failOnUnhandledRejections(): void {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', listener);
  });
  afterEach(async () => {
    // Rejections are reported after a macrotask turn.
    await nextTurn();
    expect(seen).toEqual([]);
  });
  afterAll(() => {
    process.off('unhandledRejection', listener);
  });
}

/**
 * Builds engines for a test file and closes every one after each test, with real timers back
 * first so a close never waits on a fake clock; the file also fails on any unhandled rejection
 * (see {@link failOnUnhandledRejections}). `engine` turns off the exit flush and the default
 * error report, so a test sees only what it asks for; `closeAfterTest` takes an engine the test
 * had to build itself.
 */
export function useEngines() {
  failOnUnhandledRejections();
  const engines: CustomerSync<never>[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(engines.splice(0).map((sync) => sync.close(10)));
  });
  const closeAfterTest = <TUser>(sync: CustomerSync<TUser>): CustomerSync<TUser> => {
    engines.push(sync as CustomerSync<never>);
    return sync;
  };
  const engine = <TUser = typeof ada>(options: CustomerSyncOptions<TUser> = {}): CustomerSync<TUser> =>
    closeAfterTest(new CustomerSync<TUser>({ flushOnExit: false, onError: () => {}, ...options }));
  return { engine, closeAfterTest };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_000_000) {
  const clock = {
    ms: start,
    now: () => clock.ms,
    advance: (ms: number) => {
      clock.ms += ms;
    },
  };
  return clock;
}

/** One upsertCustomer call the fake client received; settle it when the test decides. */
export interface FakeCall {
  externalId: string;
  input: CustomerInput;
  signal: AbortSignal | undefined;
  resolve(wasCreated?: boolean): void;
  reject(error: unknown): void;
}

/**
 * A test double of SupportDeskClient for engine logic (the real client is exercised against
 * the emulator in sync-emulator.test.ts). `auto` answers every call at once; otherwise each
 * call waits until the test settles it, or is answered by the next scripted reply.
 */
export class FakeClient {
  readonly namespace = 'fake-namespace';
  readonly calls: FakeCall[] = [];
  #auto: boolean;
  #replies: unknown[] = [];

  constructor(options: { auto?: boolean } = {}) {
    this.#auto = options.auto ?? true;
  }

  /** The next calls reject with these errors, in order, then calls behave as before. */
  failNext(...errors: unknown[]): void {
    this.#replies.push(...errors);
  }

  get pending(): FakeCall[] {
    return this.calls.filter((call) => !(call as FakeCall & { settled?: boolean }).settled);
  }

  upsertCustomer(
    externalId: string,
    input: CustomerInput,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<UpsertResult> {
    return new Promise<UpsertResult>((resolve, reject) => {
      const call: FakeCall & { settled?: boolean } = {
        externalId,
        input,
        signal: options?.signal,
        resolve: (wasCreated = true) => {
          call.settled = true;
          resolve(fakeResult(externalId, input, wasCreated));
        },
        reject: (error) => {
          call.settled = true;
          reject(error);
        },
      };
      this.calls.push(call);
      if (this.#replies.length > 0) call.reject(this.#replies.shift());
      else if (this.#auto) call.resolve(true);
    });
  }
}

export function fakeResult(externalId: string, input: CustomerInput, wasCreated: boolean): UpsertResult {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    customer: {
      id: `cl${externalId}`,
      externalId,
      email: input.email ?? 'someone@example.com',
      name: input.name ?? 'Someone',
      createdAt: at,
      updatedAt: at,
    },
    wasCreated,
  };
}

/** Lets every already-settled promise callback run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** A logger that keeps every line, for asserting what was (and was not) logged. */
export function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, fields, message });
  };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

export const ada = { id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com' };

/** Records every timer `setTimeout` makes until `stop()`. */
export function recordTimers() {
  const timers: NodeJS.Timeout[] = [];
  const realSetTimeout = globalThis.setTimeout;
  const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    ...args: Parameters<typeof setTimeout>
  ) => {
    const timer = realSetTimeout(...args);
    timers.push(timer);
    return timer;
  }) as typeof setTimeout);
  return { timers, stop: () => spy.mockRestore() };
}

/** A {@link SyncStore} whose methods are spies, and the calls it received in order. */
export type ScriptedStore = {
  [K in keyof Required<Omit<SyncStore, 'has' | 'holdSending' | 'sendingHeld'>>]: Mock<Required<SyncStore>[K]>;
} & {
  calls: string[];
};

/** A shared store answering asynchronously, as a network store would; `answer` decides each claim. */
export function scriptedStore(
  answer: () => ClaimResult | Promise<ClaimResult> = () => 'claimed',
): ScriptedStore {
  const calls: string[] = [];
  const store = {
    calls,
    init: vi.fn(),
    claim: vi.fn(async (externalId: string, _fingerprint: string, leaseMs: number) => {
      calls.push(`claim ${externalId} ${leaseMs}`);
      return answer();
    }),
    commit: vi.fn(async (externalId: string) => {
      calls.push(`commit ${externalId}`);
    }),
    release: vi.fn(async (externalId: string) => {
      calls.push(`release ${externalId}`);
    }),
    close: vi.fn(async () => {
      calls.push('close');
    }),
  };
  return store as ScriptedStore;
}

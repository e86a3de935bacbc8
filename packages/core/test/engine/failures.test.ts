import { startEmulator } from '@supportdesk/emulator';
import { describe, expect, it, vi } from 'vitest';
import { Failures } from '../../src/engine/failures.js';
import type { SyncEvent } from '../../src/engine/outcome.js';
import { Reporter } from '../../src/engine/reporter.js';
import { SendGate } from '../../src/engine/send-gate.js';
import {
  CustomerEmailExistsError,
  SupportDeskApiError,
  SupportDeskAuthError,
  SupportDeskConnectionError,
  type SupportDeskError,
  SupportDeskRateLimitError,
  SupportDeskValidationError,
} from '../../src/errors.js';
import { ada, FakeClient, manualClock, recordingLogger, settle, useEngines } from '../support/engines.js';
import { API_KEY, reply, startFaultServer, upsertSuccess } from '../support/fault-server.js';

const { engine } = useEngines();

/** Failures over a real gate and reporter on a manual clock, and what reached onError. */
function failures() {
  const clock = manualClock();
  const reported: string[] = [];
  const reporter = new Reporter({
    onError: (error) => reported.push(error.message),
    onSync: undefined,
    logger: undefined,
    now: clock.now,
    intervalMs: 60_000,
    onceTtlMs: 600_000,
  });
  const gate = new SendGate(clock.now);
  const settings = {
    failureCooldownMs: 600_000,
    authCooldownMs: 300_000,
    defaultRetryAfterMs: 30_000,
    maxEntries: 100,
    now: clock.now,
  };
  return { failures: new Failures(settings, gate, reporter), gate, clock, reported };
}

const eventOf = (error: SupportDeskError): SyncEvent => ({ status: 'failed', externalId: 'u1', error });

describe('Failures: what each failure means', () => {
  it('puts a 429 back in line and pauses sending until Retry-After', () => {
    const { failures: subject, gate, clock } = failures();
    const error = new SupportDeskRateLimitError('slow down', { retryAfterMs: 5_000 });
    expect(subject.failed('u1', 'fp', error, eventOf(error))).toEqual({ requeue: true });
    expect(gate.paused(clock.now())).toBe(true);
    clock.advance(5_000);
    expect(gate.paused(clock.now())).toBe(false);
  });

  it('pauses a 429 without Retry-After for defaultRetryAfterMs', () => {
    const { failures: subject, gate, clock } = failures();
    const error = new SupportDeskRateLimitError('slow down');
    subject.failed('u1', 'fp', error, eventOf(error));
    clock.advance(29_999);
    expect(gate.paused(clock.now())).toBe(true);
    clock.advance(1);
    expect(gate.paused(clock.now())).toBe(false);
  });

  it('stops all sending on a 401, and says so only for the first one', () => {
    const { failures: subject, gate, reported } = failures();
    const error = new SupportDeskAuthError('bad key', { status: 401 });
    expect(subject.failed('u1', 'fp', error, eventOf(error))).toMatchObject({
      status: 'failed',
      stopped: true,
    });
    expect(subject.failed('u2', 'fp', error, eventOf(error))).toMatchObject({
      status: 'failed',
      stopped: false,
    });
    expect(gate.authBlock()).toBe(error);
    expect(reported).toHaveLength(1);
  });

  it.each([
    ['a 409', new CustomerEmailExistsError('taken'), 'failed'],
    ['a 400', new SupportDeskValidationError('missing name', { status: 400 }), 'failed'],
    ['a 3xx', new SupportDeskApiError('redirect', { status: 302, retryable: false }), 'failed'],
    [
      'a 404',
      new SupportDeskApiError('not found (check baseUrl)', { status: 404, retryable: false }),
      'failed',
    ],
    [
      'a 2xx body that is no upsert result',
      new SupportDeskApiError('bad body', { status: 200, code: 'INVALID_RESPONSE' }),
      'failed',
    ],
    ['a local refusal', new SupportDeskValidationError('too large'), 'invalid'],
  ])('holds back the payload after %s, for that payload only', (_case, error, status) => {
    const { failures: subject } = failures();
    expect(subject.failed('u1', 'fp-a', error, eventOf(error))).toMatchObject({ status, stopped: false });
    expect(subject.heldBack('u1', 'fp-a')).toEqual({ fingerprint: 'fp-a', status, error });
    expect(subject.heldBack('u1', 'fp-b')).toBeUndefined();
    expect(subject.heldBack('u2', 'fp-a')).toBeUndefined();
  });

  it('lets a held-back payload go after failureCooldownMs, or once the user synced', () => {
    const { failures: subject, clock } = failures();
    const error = new CustomerEmailExistsError('taken');
    subject.failed('u1', 'fp', error, eventOf(error));
    subject.failed('u2', 'fp', error, eventOf(error));
    subject.succeeded('u2');
    expect(subject.heldBack('u2', 'fp')).toBeUndefined();
    clock.advance(600_000);
    expect(subject.heldBack('u1', 'fp')).toBeDefined();
    clock.advance(1);
    expect(subject.heldBack('u1', 'fp')).toBeUndefined();
  });

  it('neither holds back nor pauses after a failure a retry may fix', () => {
    const { failures: subject, gate, clock } = failures();
    const error = new SupportDeskApiError('bad gateway', { status: 502, retryable: true });
    expect(subject.failed('u1', 'fp', error, eventOf(error))).toEqual({
      requeue: false,
      status: 'failed',
      error,
      stopped: false,
    });
    expect(subject.heldBack('u1', 'fp')).toBeUndefined();
    expect(gate.paused(clock.now())).toBe(false);
    expect(gate.authBlock()).toBeUndefined();
  });
});

describe('failures retrying cannot fix', () => {
  it.each([
    ['409', () => new CustomerEmailExistsError('email taken', { externalId: 'u1' })],
    ['400', () => new SupportDeskValidationError('name missing', { status: 400, externalId: 'u1' })],
    ['3xx', () => new SupportDeskApiError('redirect', { status: 308, retryable: false, externalId: 'u1' })],
  ])('sends a %s user identified 20 times once and reports it once', async (_, makeError) => {
    const client = new FakeClient();
    client.failNext(makeError());
    const onError = vi.fn();
    const sync = engine({ client, onError });
    const outcomes = [];
    for (let i = 0; i < 20; i++) outcomes.push(await sync.identify(ada));
    expect(client.calls).toHaveLength(1);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(outcomes.every((outcome) => outcome.status === 'failed')).toBe(true);
    expect(outcomes[19]?.error).toBeInstanceOf(makeError().constructor);
  });

  it('sends the held-back payload again after failureCooldownMs', async () => {
    const client = new FakeClient();
    client.failNext(new CustomerEmailExistsError('email taken'));
    const clock = manualClock();
    const sync = engine({ client, now: clock.now, failureCooldownMs: 10_000 });
    await sync.identify(ada);
    clock.advance(10_001);
    expect((await sync.identify(ada)).status).toBe('synced');
    expect(client.calls).toHaveLength(2);
  });

  it('sends a changed payload of a held-back user at once', async () => {
    const client = new FakeClient();
    client.failNext(new CustomerEmailExistsError('email taken'));
    const sync = engine({ client });
    await sync.identify(ada);
    expect((await sync.identify({ ...ada, email: 'ada@other.example' })).status).toBe('synced');
  });

  it('resolves invalid, without a request, when the payload fails validation, and reports it once', async () => {
    const client = new FakeClient();
    const onError = vi.fn();
    const sync = engine({ client, onError });
    const bad = { ...ada, email: 'not an email' };
    const first = await sync.identify(bad);
    await sync.identify(bad);
    expect(first.status).toBe('invalid');
    expect(first.error).toBeInstanceOf(SupportDeskValidationError);
    expect(client.calls).toHaveLength(0);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('resolves invalid when the client refuses the payload locally', async () => {
    const client = new FakeClient();
    client.failNext(new SupportDeskValidationError('payload over maxPayloadBytes'));
    const sync = engine({ client });
    expect((await sync.identify(ada)).status).toBe('invalid');
    expect((await sync.identify(ada)).status).toBe('invalid');
    expect(client.calls).toHaveLength(1);
  });
});

describe('a 400 for a payload without email or name', () => {
  it('says once, in onError and the log, that creating a customer needs both and mapUser must return them', async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const { lines, logger } = recordingLogger();
      const reported: SupportDeskError[] = [];
      const sync = engine<object>({
        apiKey: API_KEY,
        baseUrl: emulator.baseUrl,
        logger,
        onError: (error) => reported.push(error),
      });
      const jwt = { sub: 'auth0|7', username: 'john' };
      const first = await sync.identify(jwt);
      expect((await sync.identify(jwt)).error).toBe(first.error);
      expect(emulator.requestCount).toBe(1);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBe(first.error);
      expect(reported[0]).toBeInstanceOf(SupportDeskValidationError);
      expect(reported[0]).toMatchObject({ status: 400, code: 'VALIDATION_ERROR', externalId: 'auth0|7' });
      const message = reported[0]?.message ?? '';
      expect(message).toContain('creating a customer needs both email and name, and this input has no email');
      expect(message).toContain('mapUser must return both');
      expect(lines.map((line) => [line.level, line.message])).toEqual([
        ['warn', `SupportDesk sync failed: ${message}`],
      ]);
    } finally {
      await emulator.close();
    }
  });

  it('keeps the report of a 400 for a payload with email and name as the error says', async () => {
    const client = new FakeClient();
    const error = new SupportDeskValidationError('SupportDesk refused the input (400): phone is invalid', {
      status: 400,
    });
    client.failNext(error);
    const { lines, logger } = recordingLogger();
    const onError = vi.fn();
    const sync = engine({ client, logger, onError });
    expect((await sync.identify(ada)).error).toBe(error);
    expect(onError).toHaveBeenCalledWith(error, expect.objectContaining({ error }));
    expect(lines.map((line) => line.message)).toEqual([`SupportDesk sync failed: ${error.message}`]);
  });
});

describe('a redirecting baseUrl', () => {
  it('is sent to once, held back, and reported once as a failure, never as one to try again', async () => {
    const elsewhere = await startFaultServer((res) => reply(res, 200, upsertSuccess('u1')));
    const server = await startFaultServer((res) =>
      reply(res, 307, '', { location: `${elsewhere.baseUrl}/customers/u1` }),
    );
    try {
      const { lines, logger } = recordingLogger();
      const onError = vi.fn();
      const sync = engine({ apiKey: API_KEY, baseUrl: server.baseUrl, logger, onError });
      const outcomes = [];
      for (let i = 0; i < 5; i++) outcomes.push(await sync.identify(ada));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(5).fill('failed'));
      expect(outcomes[4]?.error).toMatchObject({ status: 307, retryable: false });
      expect(server.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
      expect(onError).toHaveBeenCalledTimes(1);
      expect(lines.map((line) => line.level)).toEqual(['warn']);
      expect(lines[0]?.message).toMatch(/never followed.*check baseUrl/);
      expect(lines[0]?.message).not.toMatch(/tried again/);
    } finally {
      await Promise.all([server.close(), elsewhere.close()]);
    }
  });
});

describe('401 and 403', () => {
  it('reports once and sends nothing during authCooldownMs', async () => {
    const client = new FakeClient();
    client.failNext(new SupportDeskAuthError('bad key', { status: 401 }));
    const onError = vi.fn();
    const clock = manualClock();
    const sync = engine({ client, onError, now: clock.now, authCooldownMs: 60_000 });
    expect((await sync.identify(ada)).status).toBe('failed');
    const others = await Promise.all(['a', 'b', 'c'].map((id) => sync.identify({ ...ada, id })));
    expect(others.map((outcome) => outcome.error)).toEqual([
      expect.any(SupportDeskAuthError),
      expect.any(SupportDeskAuthError),
      expect.any(SupportDeskAuthError),
    ]);
    expect(client.calls).toHaveLength(1);
    expect(onError).toHaveBeenCalledTimes(1);
    clock.advance(60_001);
    expect((await sync.identify(ada)).status).toBe('synced');
  });

  it('fails the syncs that were waiting when the key was refused', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client, concurrency: 1 });
    const first = sync.identify(ada);
    const waiting = sync.identify({ ...ada, id: 'u2' });
    client.calls[0]?.reject(new SupportDeskAuthError('forbidden', { status: 403 }));
    expect((await first).status).toBe('failed');
    expect((await waiting).error).toBeInstanceOf(SupportDeskAuthError);
    expect(client.calls).toHaveLength(1);
    expect(sync.stats()).toMatchObject({ queued: 0, inFlight: 0, failed: 2 });
  });
});

describe('429', () => {
  it('pauses the whole queue until retryAfterMs, then sends what waited', async () => {
    vi.useFakeTimers();
    const client = new FakeClient();
    client.failNext(new SupportDeskRateLimitError('slow down', { retryAfterMs: 5_000 }));
    const sync = engine({ client, concurrency: 1, now: () => Date.now() });
    const first = sync.identify(ada);
    const second = sync.identify({ ...ada, id: 'u2' });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(client.calls).toHaveLength(1);
    expect(sync.stats().queued).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect((await first).status).toBe('synced');
    expect((await second).status).toBe('synced');
    expect(client.calls.map((call) => call.externalId)).toEqual(['u1', 'u1', 'u2']);
  });

  it('resumes on the next identify after the deadline, without the timer', async () => {
    const client = new FakeClient();
    client.failNext(new SupportDeskRateLimitError('slow down'));
    const clock = manualClock();
    const sync = engine({ client, now: clock.now, defaultRetryAfterMs: 30_000 });
    const first = sync.identify(ada);
    await settle();
    clock.advance(29_999);
    void sync.identify({ ...ada, id: 'u2' });
    await settle();
    expect(client.calls).toHaveLength(1);
    clock.advance(1);
    void sync.identify({ ...ada, id: 'u3' });
    expect((await first).status).toBe('synced');
    expect(client.calls.map((call) => call.externalId)).toEqual(['u1', 'u1', 'u2', 'u3']);
  });

  it('pauses at least a second after a 429 with Retry-After: 0, so it never loops', async () => {
    const client = new FakeClient();
    client.failNext(new SupportDeskRateLimitError('slow down', { retryAfterMs: 0 }));
    const clock = manualClock();
    const sync = engine({ client, now: clock.now });
    const outcome = sync.identify(ada);
    await settle();
    expect(client.calls).toHaveLength(1);
    clock.advance(1_000);
    void sync.identify({ ...ada, id: 'u2' });
    expect((await outcome).status).toBe('synced');
  });

  it('reports a pause once, not once per rate-limited request', async () => {
    const client = new FakeClient({ auto: false });
    const onError = vi.fn();
    const sync = engine({ client, onError });
    void sync.identify(ada);
    void sync.identify({ ...ada, id: 'u2' });
    client.calls[0]?.reject(new SupportDeskRateLimitError('slow down', { retryAfterMs: 1_000 }));
    client.calls[1]?.reject(new SupportDeskRateLimitError('slow down', { retryAfterMs: 1_000 }));
    await settle();
    expect(onError).toHaveBeenCalledTimes(1);
  });
});

describe('retryable failures', () => {
  it.each([
    ['a 5xx', new SupportDeskApiError('upstream 503', { status: 503, retryable: true })],
    ['a connection error', new SupportDeskConnectionError('ECONNREFUSED')],
  ])('reports %s and tries again on a later identify', async (_, error) => {
    const client = new FakeClient();
    client.failNext(error);
    const onError = vi.fn();
    const sync = engine({ client, onError });
    expect(await sync.identify(ada)).toMatchObject({ status: 'failed', error });
    expect(onError).toHaveBeenCalledWith(
      error,
      expect.objectContaining({ status: 'failed', externalId: 'u1' }),
    );
    expect((await sync.identify(ada)).status).toBe('synced');
  });

  it('logs repeated failures of one kind once per reportIntervalMs', async () => {
    const client = new FakeClient();
    const { lines, logger } = recordingLogger();
    const sync = engine({ client, logger, reportIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) client.failNext(new SupportDeskConnectionError('ECONNREFUSED'));
    for (let i = 0; i < 5; i++) await sync.identify(ada);
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });
});

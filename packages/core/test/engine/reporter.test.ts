import { describe, expect, it, vi } from 'vitest';
import { CustomerSync } from '../../src/engine/customer-sync.js';
import { redact } from '../../src/engine/reporter.js';
import { ada, FakeClient, recordingLogger, useEngines } from '../support/engines.js';

const { engine } = useEngines();

describe('redact', () => {
  it.each([
    ['mapUser failed for ada@example.com', 'mapUser failed for [email]'],
    ['bad phone +1 555 0100 given', 'bad phone [phone] given'],
    ['call (555) 010-0100 now', 'call [phone] now'],
    ['id 5550100123 is taken', 'id [phone] is taken'],
  ])('masks emails and phone numbers: %s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    'Could not reach SupportDesk at 127.0.0.1:4010',
    'upstream answered 503 after 2 retries',
    'user_42 synced',
  ])('keeps what is neither: %s', (text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('log lines', () => {
  it('never carry the email or phone number a failing mapUser put in its message', async () => {
    const { lines, logger } = recordingLogger();
    const sync = new CustomerSync({
      client: new FakeClient(),
      logger,
      flushOnExit: false,
      mapUser: (user: { email: string; phone: string }) => {
        throw new Error(`cannot map ${user.email} (${user.phone})`);
      },
    });

    const outcome = await sync.identify({ email: 'ada@example.com', phone: '+44 20 7946 0018' });

    expect(outcome.status).toBe('invalid');
    const written = JSON.stringify(lines);
    expect(written).toContain('cannot map [email] ([phone])');
    expect(written).not.toContain('ada@example.com');
    expect(written).not.toContain('7946');
    await sync.close(10);
  });
});

describe('hooks', () => {
  it('keeps syncing when onSync, onError and the logger throw', async () => {
    const client = new FakeClient();
    client.failNext(new Error('first fails'));
    const boom = () => {
      throw new Error('hook broke');
    };
    const sync = engine({
      client,
      onSync: boom,
      onError: boom,
      logger: { debug: boom, info: boom, warn: boom, error: boom },
    });
    expect((await sync.identify(ada)).status).toBe('failed');
    expect((await sync.identify(ada)).status).toBe('synced');
    expect((await sync.identify(ada)).status).toBe('skipped');
  });

  it('tells onSync about every upsert that reached SupportDesk', async () => {
    const onSync = vi.fn();
    const sync = engine({ client: new FakeClient(), onSync });
    await sync.identify(ada);
    expect(onSync).toHaveBeenCalledWith(
      expect.objectContaining({
        status: 'synced',
        externalId: 'u1',
        wasCreated: true,
        durationMs: expect.any(Number),
      }),
    );
  });

  it('logs the externalId and status, never the email or the phone', async () => {
    const { lines, logger } = recordingLogger();
    const client = new FakeClient();
    client.failNext(new Error('ada@example.com +1 555 0100 is broken'));
    const sync = engine({ client, logger });
    await sync.identify({ ...ada, phone: '+1 555 0100' } as typeof ada);
    await sync.identify({ ...ada, phone: '+1 555 0100' } as typeof ada);
    expect(lines.map((line) => line.fields)).toContainEqual(
      expect.objectContaining({ externalId: 'u1', status: 'synced' }),
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('555 0100');
  });
});

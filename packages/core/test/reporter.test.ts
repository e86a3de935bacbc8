import { describe, expect, it } from 'vitest';
import { redact } from '../src/reporter.js';
import { CustomerSync } from '../src/sync.js';
import { FakeClient, failOnUnhandledRejections, recordingLogger } from './sync-support.js';

failOnUnhandledRejections();

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

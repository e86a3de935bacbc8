import { describe, expect, it } from 'vitest';
import { JobTable } from '../../src/engine/job.js';
import type { SyncOutcome } from '../../src/engine/outcome.js';
import { Ledger } from '../../src/engine/pending.js';
import { SupportDeskError } from '../../src/errors.js';
import { ada, FakeClient, fakeResult, settle, useEngines } from '../support/engines.js';

const { engine } = useEngines();

/** A job table over a real ledger, and the outcomes its identifies resolved with, by name. */
function table(maxQueueSize = 10) {
  const ledger = new Ledger();
  const jobs = new JobTable(ledger, maxQueueSize);
  const outcomes = new Map<string, SyncOutcome>();
  const identify = (name: string) => ledger.open((outcome) => outcomes.set(name, outcome));
  return { ledger, jobs, outcomes, identify };
}

const NAME_A = { name: 'Ada' };
const NAME_B = { name: 'Ada L.' };
const NAME_C = { name: 'Ada Lovelace' };

describe('JobTable: coalescing', () => {
  it('lets an identify with the same payload wait on the job in progress', () => {
    const { jobs, outcomes, identify } = table();
    const job = jobs.add('u1', 'fp-a', NAME_A, identify('first'));
    expect(jobs.join(job, 'fp-a', NAME_A, identify('second'))).toBe(true);
    jobs.settle(job, 'synced', undefined, fakeResult('u1', NAME_A, true));
    expect(outcomes.get('first')).toMatchObject({ status: 'synced', wasCreated: true });
    expect(outcomes.get('second')).toMatchObject({ status: 'coalesced', wasCreated: true });
  });

  it('updates the payload of a job still queued instead of queueing a second one', () => {
    const { jobs, identify } = table();
    const job = jobs.add('u1', 'fp-a', NAME_A, identify('first'));
    jobs.join(job, 'fp-b', NAME_B, identify('second'));
    expect(job).toMatchObject({ fingerprint: 'fp-b', input: NAME_B, next: undefined });
    expect(jobs.waiting).toBe(1);
  });

  it('queues a change behind a job being sent, once, and updates it in place (latest wins)', () => {
    const { jobs, identify } = table();
    const job = jobs.add('u1', 'fp-a', NAME_A, identify('first'));
    jobs.leave(job, 'sending');
    jobs.join(job, 'fp-b', NAME_B, identify('second'));
    jobs.join(job, 'fp-c', NAME_C, identify('third'));
    expect(job.next).toMatchObject({ fingerprint: 'fp-c', input: NAME_C, state: 'next' });
    expect(job.next?.waiters).toHaveLength(1);
    expect(jobs.waiting).toBe(1);
  });

  it('drops the queued change when the payload being sent becomes the latest again', () => {
    const { jobs, outcomes, identify } = table();
    const job = jobs.add('u1', 'fp-a', NAME_A, identify('first'));
    jobs.leave(job, 'sending');
    jobs.join(job, 'fp-b', NAME_B, identify('second'));
    jobs.join(job, 'fp-a', NAME_A, identify('third'));
    expect(job.next).toBeUndefined();
    expect(jobs.waiting).toBe(0);
    jobs.settle(job, 'synced', undefined, fakeResult('u1', NAME_A, false));
    expect([...outcomes.values()].map((outcome) => outcome.status)).toEqual([
      'synced',
      'coalesced',
      'coalesced',
    ]);
  });

  it('answers false for a change that finds the queue full', () => {
    const { jobs, identify } = table(1);
    const job = jobs.add('u1', 'fp-a', NAME_A, identify('first'));
    jobs.leave(job, 'sending');
    jobs.add('u2', 'fp-x', NAME_A, identify('other'));
    expect(jobs.full).toBe(true);
    expect(jobs.join(job, 'fp-b', NAME_B, identify('second'))).toBe(false);
  });

  it('resolves an identify at once as coalesced once ten times maxQueueSize wait', () => {
    const { jobs, outcomes, identify } = table(1);
    const job = jobs.add('u1', 'fp-a', NAME_A, identify('owner'));
    for (let i = 0; i < 10; i++) jobs.join(job, 'fp-a', NAME_A, identify(`waiter ${i}`));
    expect(outcomes.size).toBe(0);
    jobs.join(job, 'fp-a', NAME_A, identify('one too many'));
    expect(outcomes.get('one too many')).toEqual({ status: 'coalesced', externalId: 'u1' });
  });

  it('hands a failure to the owner and every waiter alike', () => {
    const { jobs, outcomes, identify } = table();
    const job = jobs.add('u1', 'fp-a', NAME_A, identify('first'));
    jobs.join(job, 'fp-a', NAME_A, identify('second'));
    const error = new SupportDeskError('down', { retryable: true });
    jobs.settle(job, 'failed', error);
    expect(outcomes.get('first')).toEqual({ status: 'failed', externalId: 'u1', error });
    expect(outcomes.get('second')).toEqual({ status: 'failed', externalId: 'u1', error });
  });

  it('makes the queued change the user’s job once the one before it finishes', () => {
    const { jobs, identify } = table();
    const job = jobs.add('u1', 'fp-a', NAME_A, identify('first'));
    jobs.leave(job, 'sending');
    jobs.join(job, 'fp-b', NAME_B, identify('second'));
    const next = jobs.finish(job);
    expect(next).toMatchObject({ fingerprint: 'fp-b', state: 'queued' });
    expect(jobs.get('u1')).toBe(next);
    expect(jobs.finish(next as NonNullable<typeof next>)).toBeUndefined();
    expect(jobs.get('u1')).toBeUndefined();
  });
});

describe('changes while a request is in flight', () => {
  it('sends a change that arrives meanwhile once afterwards, the latest one', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client });
    const first = sync.identify(ada);
    const second = sync.identify({ ...ada, name: 'Second' });
    const third = sync.identify({ ...ada, name: 'Third' });
    expect(client.calls).toHaveLength(1);
    client.calls[0]?.resolve(true);
    await settle();
    expect(client.calls.map((call) => call.input.name)).toEqual(['Ada Lovelace', 'Third']);
    client.calls[1]?.resolve(false);
    expect((await first).status).toBe('synced');
    expect(await second).toMatchObject({ status: 'synced', wasCreated: false });
    expect((await third).status).toBe('coalesced');
  });

  it('drops a queued change when the payload in flight becomes the latest again', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client });
    void sync.identify(ada);
    const changed = sync.identify({ ...ada, name: 'Changed' });
    const back = sync.identify(ada);
    client.calls[0]?.resolve(true);
    await sync.flush();
    expect(client.calls).toHaveLength(1);
    expect((await changed).status).toBe('coalesced');
    expect((await back).status).toBe('coalesced');
  });

  it('updates a queued payload in place before it is sent', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client, concurrency: 1 });
    void sync.identify({ ...ada, id: 'busy' });
    void sync.identify(ada);
    void sync.identify({ ...ada, name: 'Latest' });
    client.calls[0]?.resolve(true);
    await settle();
    expect(client.calls.map((call) => [call.externalId, call.input.name])).toEqual([
      ['busy', 'Ada Lovelace'],
      ['u1', 'Latest'],
    ]);
    client.calls[1]?.resolve(true);
    await sync.flush();
    expect(client.calls).toHaveLength(2);
  });
});

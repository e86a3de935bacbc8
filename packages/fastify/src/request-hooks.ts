import type { SyncAdapter, SyncOutcome } from '@supportdesk/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isSkipped } from './route-skip.js';

type FastifyAdapter = SyncAdapter<[request: FastifyRequest, reply: FastifyReply]>;

const outcomeOf = Symbol('supportdesk.outcome');

type RequestWithOutcome = FastifyRequest & { [outcomeOf]?: Promise<SyncOutcome> };

/**
 * The hooks that read the user of each request and identify them.
 * - `onResponse` (both modes): the reply is sent, so nothing the sync does can delay or fail it.
 * - `onSend` (only with `awaitSync`): the reply waits for the sync before it is written.
 * Neither makes a closure per request.
 */
export function createRequestHooks(adapter: FastifyAdapter) {
  function identifyOnResponse(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    if (!isSkipped(request)) adapter.observe(request, reply);
    done();
  }

  // Fastify runs onSend again when a later onSend hook fails (to send the error), so the outcome
  // is kept on the request: the user is read and sent once, and the error reply waits for it too.
  function identifyOnce(request: FastifyRequest, reply: FastifyReply): Promise<SyncOutcome> {
    const held = request as RequestWithOutcome;
    const outcome = held[outcomeOf] ?? adapter.identify(request, reply);
    held[outcomeOf] = outcome;
    return outcome;
  }

  async function identifyBeforeSend(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): Promise<unknown> {
    // At most awaitSyncTimeoutMs: a 429 pause or a hung upstream never holds the reply longer.
    if (!isSkipped(request)) await adapter.waitFor(identifyOnce(request, reply));
    return payload;
  }

  // A reply that bypasses onSend (`reply.hijack()`) is still read, once it is done.
  function identifyUnsentOnResponse(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    if (!isSkipped(request) && (request as RequestWithOutcome)[outcomeOf] === undefined)
      adapter.observe(request, reply);
    done();
  }

  return adapter.awaitSync
    ? { onSend: identifyBeforeSend, onResponse: identifyUnsentOnResponse }
    : { onSend: undefined, onResponse: identifyOnResponse };
}

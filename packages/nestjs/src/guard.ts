import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { SyncAdapter } from '@supportdesk/core';
import type { SyncScope } from './sync-scope.js';

/** What the guard needs of a response: Node's `ServerResponse` (or an HTTP/2 one) emits 'close'. */
interface ClosingResponse {
  on(event: 'close', listener: () => void): unknown;
}

/**
 * The raw response of an HTTP call: the Express response is Node's own, and a Fastify reply
 * keeps it under `raw`. `undefined` on a platform whose response is neither.
 */
function rawResponse(context: ExecutionContext): ClosingResponse | undefined {
  // An HTTP context's arguments are (request, response, next). `switchToHttp()` would give the
  // same, but it allocates three closures and reshapes the context on every call.
  const response = context.getArgByIndex<{ raw?: unknown; on?: unknown } | undefined>(1);
  const raw = (response?.raw ?? response) as Partial<ClosingResponse> | undefined;
  return typeof raw?.on === 'function' ? (raw as ClosingResponse) : undefined;
}

/**
 * Hooks every request from a global guard: it lets the request through and only registers the
 * read of its user for when the response is done. Global guards run before route-level ones,
 * so the user an `AuthGuard` sets later, or a handler that signs the user in, is seen then. A
 * global interceptor would do the same after the handler, but Nest wraps every handler in RxJS
 * for it, which alone costs a small app a quarter of its throughput.
 */
export class SupportDeskGuard implements CanActivate {
  constructor(
    private readonly adapter: SyncAdapter<[ExecutionContext]>,
    private readonly scope: SyncScope,
  ) {}

  canActivate(context: ExecutionContext): true {
    if (!this.scope.covers(context)) return true;
    const response = context.getType() === 'http' ? rawResponse(context) : undefined;
    // A response emits 'close' once, whether it finished or was aborted. A call with no
    // response to wait for (RPC, WebSocket, GraphQL) is read now, as the guard lets it in.
    // `observe` builds no outcome for an already-synced user: nothing here reads it.
    if (response !== undefined) response.on('close', () => this.adapter.observe(context));
    else this.adapter.observe(context);
    return true;
  }
}

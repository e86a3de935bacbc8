import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { SyncAdapter } from '@supportdesk/core';
import { catchError, concatMap, concatWith, defer, ignoreElements, type Observable } from 'rxjs';
import type { SyncScope } from './sync-scope.js';

/**
 * `awaitSync: true` only (serverless platforms that freeze the process once the response is
 * sent): holds the handler's result, or its error, until the sync of the user has settled, or
 * `awaitSyncTimeoutMs` has passed.
 * Interceptors run after every guard and around the handler, so the user is there and the
 * response is not yet sent. Registered only when `awaitSync` is on: any global interceptor
 * makes Nest wrap every handler in RxJS, which a request that does not wait need not pay.
 */
export class AwaitSyncInterceptor implements NestInterceptor {
  constructor(
    private readonly adapter: SyncAdapter<[ExecutionContext]>,
    private readonly scope: SyncScope,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.scope.covers(context)) return next.handle();
    let synced: Promise<void> | undefined;
    // waitFor() never rejects, so waiting on it neither fails nor changes the response, and it
    // resolves within awaitSyncTimeoutMs: a 429 pause or a hung upstream never holds it longer.
    const syncOnce = () => {
      synced ??= this.adapter.waitFor(this.adapter.identify(context));
      return synced;
    };
    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        await syncOnce();
        return value;
      }),
      // A handler that completes without a value still gets its user synced before the response.
      concatWith(defer(syncOnce).pipe(ignoreElements())),
      catchError(async (error: unknown) => {
        await syncOnce();
        throw error;
      }),
    );
  }
}

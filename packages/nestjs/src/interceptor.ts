import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { SyncAdapter } from '@supportdesk/core';
import { catchError, concatMap, concatWith, defer, finalize, ignoreElements, type Observable } from 'rxjs';
import type { SupportDeskModuleOptions } from './options.js';
import { SKIP_CUSTOMER_SYNC, SUPPORTDESK_ADAPTER, SUPPORTDESK_MODULE_OPTIONS } from './tokens.js';

/**
 * Identifies the user of each handled request. Interceptors run after guards, so the user an
 * auth guard put on the request is there; the user is read once the handler has finished
 * (successfully or not), so a handler that signs the user in is covered too.
 */
@Injectable()
export class SupportDeskInterceptor implements NestInterceptor {
  // Without a custom getUser only HTTP requests have a `user` we know how to read.
  private readonly httpOnly: boolean;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(SUPPORTDESK_ADAPTER) private readonly adapter: SyncAdapter<[ExecutionContext]>,
    @Inject(SUPPORTDESK_MODULE_OPTIONS) options: SupportDeskModuleOptions,
  ) {
    this.httpOnly = options.getUser === undefined;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.httpOnly && context.getType() !== 'http') return next.handle();
    const skip = this.reflector.getAllAndOverride<boolean | undefined>(SKIP_CUSTOMER_SYNC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (skip === true) return next.handle();

    if (!this.adapter.awaitSync) {
      // identify() returns at once and never rejects: the response is neither delayed nor failed.
      return next.handle().pipe(finalize(() => void this.adapter.identify(context)));
    }
    return this.syncBeforeResponding(context, next);
  }

  /** `awaitSync`: hold the handler's result (or error) until the sync has settled. */
  private syncBeforeResponding(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    let synced: Promise<unknown> | undefined;
    const syncOnce = () => {
      synced ??= this.adapter.identify(context);
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

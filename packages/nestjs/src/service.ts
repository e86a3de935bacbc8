import {
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { CustomerSync, SyncAdapter, SyncOutcome, SyncStats } from '@supportdesk/core';
import type { SupportDeskModuleOptions } from './options.js';
import { SUPPORTDESK_ADAPTER, SUPPORTDESK_MODULE_OPTIONS } from './tokens.js';

/**
 * The module's engine, for the syncs no request carries: after a sign-up, after a profile
 * change, from a queue worker. Inject it anywhere (the module is global by default).
 *
 * @example
 * @Injectable()
 * export class UsersService {
 *   constructor(@Inject(SupportDeskService) private readonly supportDesk: SupportDeskService) {}
 *
 *   async rename(user: User, name: string) {
 *     const renamed = await this.users.save({ ...user, name });
 *     void this.supportDesk.identify(renamed);
 *     return renamed;
 *   }
 * }
 */
@Injectable()
export class SupportDeskService implements OnApplicationShutdown {
  private readonly logger = new Logger('SupportDesk');
  // An engine handed in through `sync` belongs to the app, which may share it: flush it, leave it open.
  private readonly ownsEngine: boolean;

  constructor(
    @Inject(SUPPORTDESK_ADAPTER) private readonly adapter: SyncAdapter<[ExecutionContext]>,
    @Inject(SUPPORTDESK_MODULE_OPTIONS) options: SupportDeskModuleOptions,
  ) {
    this.ownsEngine = options.sync === undefined;
  }

  /** The sync engine the module feeds with the users of requests. */
  get sync(): CustomerSync {
    return this.adapter.sync;
  }

  /**
   * The engine's HTTP client, for calls of your own (`client.upsertCustomer(id, input)`):
   * the `SupportDeskClient` it built, or the `client` you gave; `undefined` when `enabled: false`.
   */
  get client(): CustomerSync['client'] {
    return this.adapter.sync.client;
  }

  /** Syncs `user` now, like a request of theirs would. Never rejects; the outcome says what happened. */
  identify(user: unknown): Promise<SyncOutcome> {
    return this.adapter.sync.identify(user);
  }

  /** Resolves once every sync already asked for has been sent (or has failed). */
  flush(): Promise<void> {
    return this.adapter.sync.flush();
  }

  /** The engine's counters since start (synced, created, skipped, failed, …) and its current queue. */
  stats(): SyncStats {
    return this.adapter.sync.stats();
  }

  /**
   * Sends what is pending before the app exits. Nest calls this after the HTTP server has
   * closed, so every request that got a response has already asked for its sync.
   */
  async onApplicationShutdown(): Promise<void> {
    try {
      if (this.ownsEngine) await this.adapter.sync.close();
      else await this.adapter.sync.flush();
    } catch (error) {
      // A shutdown hook that throws makes app.close() reject: the SDK must not break the host.
      this.logger.warn(`Could not finish pending customer syncs: ${String(error)}`);
    }
  }
}

import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { SKIP_CUSTOMER_SYNC } from './tokens.js';

/** What metadata is read from: a handler function or a controller class. */
type Target = ReturnType<ExecutionContext['getHandler']> | ReturnType<ExecutionContext['getClass']>;

/** A handler's `@SkipCustomerSync()` verdict, with the controller it was read for. */
interface SkipVerdict {
  readonly controller: unknown;
  readonly skip: boolean;
}

/**
 * Which handled calls the module syncs: their context type, and `@SkipCustomerSync()` on the
 * handler or its controller. The metadata is read once per handler and cached, not per request.
 */
export class SyncScope {
  // Keyed by handler: a handler function lives as long as its controller class does.
  private readonly verdicts = new WeakMap<object, SkipVerdict>();

  /**
   * @param everyContextType whether contexts other than HTTP are synced (only a custom
   * `getUser` knows how to read their user).
   */
  constructor(
    private readonly reflector: Reflector,
    readonly everyContextType: boolean,
  ) {}

  /** Whether the user of this call should be synced. */
  covers(context: ExecutionContext): boolean {
    if (!this.everyContextType && context.getType() !== 'http') return false;
    return !this.skips(context);
  }

  private skips(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const controller = context.getClass();
    // A context built by hand may have no handler: read it, but there is nothing to key a cache by.
    if (typeof handler !== 'function') return this.read(handler, controller);
    const cached = this.verdicts.get(handler);
    // A handler inherited by two controllers may be skipped in one and not the other.
    if (cached !== undefined && cached.controller === controller) return cached.skip;
    const skip = this.read(handler, controller);
    this.verdicts.set(handler, { controller, skip });
    return skip;
  }

  /** A handler-level decorator wins over its controller's. */
  private read(handler: Target | undefined, controller: Target | undefined): boolean {
    const targets = [handler, controller].filter((target) => typeof target === 'function');
    return this.reflector.getAllAndOverride<boolean | undefined>(SKIP_CUSTOMER_SYNC, targets) === true;
  }
}

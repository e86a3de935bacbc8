import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describe, expect, it } from 'vitest';
import { SkipCustomerSync } from '../src/index.js';
import { SyncScope } from '../src/sync-scope.js';

class BaseController {
  list(): string[] {
    return [];
  }
}

@SkipCustomerSync()
class SkippedController extends BaseController {}

class PlainController extends BaseController {}

class HealthController {
  @SkipCustomerSync()
  check(): string {
    return 'up';
  }
}

function contextOf(controller: new () => unknown, handler: () => unknown, type = 'http'): ExecutionContext {
  const context = new ExecutionContextHost([{}, {}], controller as never, handler);
  context.setType(type);
  return context;
}

/** A Reflector that counts the metadata reads it answers. */
class CountingReflector extends Reflector {
  reads = 0;
  override getAllAndOverride<T>(...args: Parameters<Reflector['getAllAndOverride']>): T {
    this.reads++;
    return super.getAllAndOverride(...args) as T;
  }
}

describe('SyncScope', () => {
  it('reads @SkipCustomerSync() once per handler, not once per request', () => {
    const reflector = new CountingReflector();
    const scope = new SyncScope(reflector, false);
    const covered = Array.from({ length: 3 }, () =>
      scope.covers(contextOf(HealthController, HealthController.prototype.check)),
    );
    expect(covered).toEqual([false, false, false]);
    expect(reflector.reads).toBe(1);
  });

  it('tells apart a handler inherited by a skipped and a plain controller', () => {
    const scope = new SyncScope(new Reflector(), false);
    const handler = BaseController.prototype.list;
    const covered = [SkippedController, PlainController, SkippedController, PlainController].map(
      (controller) => scope.covers(contextOf(controller, handler)),
    );
    expect(covered).toEqual([false, true, false, true]);
  });

  it.each([
    ['covers only HTTP without a custom getUser', false, [true, false, false]],
    ['covers every context type with a custom getUser', true, [true, true, true]],
  ])('%s', (_name, everyContextType, expected) => {
    const scope = new SyncScope(new Reflector(), everyContextType);
    const covered = ['http', 'rpc', 'ws'].map((type) =>
      scope.covers(contextOf(PlainController, BaseController.prototype.list, type)),
    );
    expect(covered).toEqual(expected);
  });
});

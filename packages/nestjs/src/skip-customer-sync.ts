import { type CustomDecorator, SetMetadata } from '@nestjs/common';
import { SKIP_CUSTOMER_SYNC } from './tokens.js';

/**
 * Turns the automatic sync off for one handler, or for every handler of a controller (health
 * checks, webhooks, routes whose `request.user` is not one of your customers). A handler-level
 * decorator wins over the controller's.
 *
 * @example
 * @Controller('health')
 * @SkipCustomerSync()
 * export class HealthController {
 *   @Get() check() { return { ok: true }; }
 * }
 */
export function SkipCustomerSync(skip = true): CustomDecorator<string> {
  return SetMetadata(SKIP_CUSTOMER_SYNC, skip);
}

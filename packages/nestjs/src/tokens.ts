/** The options given to `forRoot` / `forRootAsync`: internal to the module. */
// Strings rather than symbols, so Nest's "can't resolve dependencies" errors name them plainly.
export const SUPPORTDESK_MODULE_OPTIONS = 'SUPPORTDESK_MODULE_OPTIONS';

/**
 * Injection token of the module's `CustomerSync` engine, for code that wants the engine itself
 * rather than {@link SupportDeskService}.
 *
 * @example
 * constructor(@Inject(SUPPORTDESK_SYNC) sync: CustomerSync) {}
 */
export const SUPPORTDESK_SYNC = 'SUPPORTDESK_SYNC';

/** The adapter built from the options: internal, shared by the request hook and the service. */
export const SUPPORTDESK_ADAPTER = 'SUPPORTDESK_ADAPTER';

/** Which handled calls are synced (context types, `@SkipCustomerSync()`): internal. */
export const SUPPORTDESK_SCOPE = 'SUPPORTDESK_SCOPE';

/** Metadata key written by `@SkipCustomerSync()`. */
export const SKIP_CUSTOMER_SYNC = 'supportdesk:skip-customer-sync';

import { expect, it } from 'vitest';
import * as core from '../src/index.js';

it('exports exactly the public API, so a change to it is deliberate', () => {
  expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
    [
      "CustomerEmailExistsError",
      "CustomerSync",
      "DEFAULT_BASE_URL",
      "MAX_EXTERNAL_ID_LENGTH",
      "MemorySyncStore",
      "SupportDeskApiError",
      "SupportDeskAuthError",
      "SupportDeskClient",
      "SupportDeskConfigError",
      "SupportDeskConnectionError",
      "SupportDeskError",
      "SupportDeskErrorCode",
      "SupportDeskRateLimitError",
      "SupportDeskValidationError",
      "createSyncAdapter",
      "customerInputSchema",
      "defaultMapUser",
      "importCustomers",
    ]
  `);
});

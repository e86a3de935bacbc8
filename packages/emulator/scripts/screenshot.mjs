// Takes docs/dashboard.png, the README's picture of the dashboard: a built emulator with a few
// customers, a fault and a rate limit, in headless Chromium. Run `pnpm build` first, then
// `pnpm --filter @supportdesk/emulator screenshot`.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startEmulator } from '../dist/index.js';

const output = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url));
const APP_KEY = 'sk_test_51Hh2bK9xQpLm3vR8tYw4eC39HqLyjWD';
const OTHER_KEY = 'sk_test_staging_7c1f0a9e3b2d4f6a8c0e';

const customers = [
  [
    'user_1001',
    APP_KEY,
    {
      email: 'ada@lovelace.dev',
      name: 'Ada Lovelace',
      phone: '+44 20 7946 0018',
      metadata: { plan: 'enterprise', seats: 42, companyName: 'Analytical Engines' },
    },
  ],
  [
    'user_1002',
    APP_KEY,
    { email: 'grace@hopper.io', name: 'Grace Hopper', metadata: { plan: 'pro', companyName: 'Navy Labs' } },
  ],
  [
    'user_1003',
    APP_KEY,
    { email: 'alan@turing.org', name: 'Alan Turing', phone: '+44 161 496 0000', metadata: { plan: 'free' } },
  ],
  [
    'user_1004',
    APP_KEY,
    {
      email: 'katherine@nasa.example',
      name: 'Katherine Johnson',
      metadata: { plan: 'pro', region: 'us-east' },
    },
  ],
  [
    'stg_88',
    OTHER_KEY,
    { email: 'linus@kernel.example', name: 'Linus Torvalds', metadata: { plan: 'trial' } },
  ],
];

const emulator = await startEmulator();
const upsert = async (externalId, apiKey, body) => {
  const response = await fetch(`${emulator.baseUrl}/customers/${externalId}`, {
    method: 'PATCH',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  await page.goto(emulator.dashboardUrl);
  await page.locator('#live[data-state="live"]').waitFor();
  for (const [externalId, apiKey, body] of customers) await upsert(externalId, apiKey, body);
  await upsert('user_1002', APP_KEY, { name: 'Grace B. Hopper' });
  emulator.inject({ status: 503, times: 1 });
  await upsert('user_1003', APP_KEY, { metadata: { plan: 'pro' } });
  await upsert('user_1003', APP_KEY, { metadata: { plan: 'pro' } });
  await upsert('user_1005', APP_KEY, { name: 'No Email' });
  emulator.inject({ status: 500, externalId: 'user_1004', times: 3 });
  emulator.setRateLimit({ perSecond: 1, burst: 2 });
  for (let i = 0; i < 3; i++) await upsert('stg_88', OTHER_KEY, { metadata: { plan: 'pro' } });
  await page
    .locator('#customer-rows tr.item')
    .nth(customers.length - 1)
    .waitFor();
  await page.waitForTimeout(1_500);
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
  await emulator.close();
}

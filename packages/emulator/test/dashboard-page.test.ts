import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { launchChromium, skipWithoutChromium } from './chromium.js';
import { john, KEY, send } from './support.js';

/** Waits of the page for what the test expects; far more than a loaded machine needs. */
const UI_TIMEOUT_MS = 10_000;

describe.skipIf(skipWithoutChromium)('the dashboard page in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let emulator: Emulator;
  let problems: string[];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    emulator = await startEmulator();
    context = await browser.newContext();
    page = await context.newPage();
    problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => {
      // The event stream is cut when the emulator closes after each test: that is expected.
      if (!request.url().endsWith('/__emulator/events')) problems.push(`${request.url()} failed`);
    });
    await page.goto(emulator.dashboardUrl);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async () => {
    await context?.close();
    await emulator?.close();
  });

  const customerRow = (text: string) => page.locator('#customer-rows tr.item', { hasText: text });
  const logRow = (text: string) => page.locator('#request-rows tr.item', { hasText: text });

  it('loads with no console error and an empty state with a curl line to its own URL', async () => {
    await page.locator('#customers-empty').waitFor({ timeout: UI_TIMEOUT_MS });
    const curl = await page.locator('#curl').textContent();
    expect(curl).toContain(`curl -X PATCH ${emulator.baseUrl}/customers/user_42`);
    expect(await page.locator('#base-url-text').textContent()).toBe(emulator.baseUrl);
    expect(problems).toEqual([]);
  });

  it('shows an upsert sent from the test in the table and the log, without a reload', async () => {
    await page.evaluate('window.loadedOnce = true');
    const answer = await send(emulator, 'user_42', {
      body: { ...john, phone: '+1 555 0100', metadata: { plan: 'premium' } },
    });
    expect(answer.status).toBe(200);
    const row = customerRow('user_42');
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await row.textContent()).toEqual(expect.stringContaining('John Doe'));
    expect(await row.textContent()).toEqual(expect.stringContaining('plan: premium'));
    const logged = logRow('user_42');
    await logged.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await logged.locator('.status').textContent()).toBe('200');
    expect(await page.evaluate('window.loadedOnce')).toBe(true);
    expect(problems).toEqual([]);
  });

  it('masks the API key in the table and the log', async () => {
    const key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
    await send(emulator, 'user_42', { apiKey: key, body: john });
    await logRow('user_42').waitFor({ timeout: UI_TIMEOUT_MS });
    await customerRow('user_42').waitFor({ timeout: UI_TIMEOUT_MS });
    // Open the request's details too: its headers show the X-API-Key.
    await logRow('user_42').click();
    await page.locator('#request-rows tr.details').waitFor({ timeout: UI_TIMEOUT_MS });
    const html = await page.content();
    expect(html).toContain('x-api-key: sk_t…p7dc');
    expect(html).not.toContain(key);
  });

  it('makes the next upsert fail with the status of a fault set from the page', async () => {
    await page.locator('#fault-status').selectOption('502');
    await page.locator('#fault-times').fill('1');
    await page.locator('#fault-submit').click();
    await page.locator('#fault-list li', { hasText: '502' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const failed = await send(emulator, 'user_42', { body: john });
    const next = await send(emulator, 'user_42', { body: john });
    expect([failed.status, next.status]).toEqual([502, 200]);
    await logRow('fault 502').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('#faults-none').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it('shows the message of a fault the emulator refuses', async () => {
    await page.locator('#fault-latency').fill('-5');
    await page.locator('#fault-status').selectOption('');
    await page.locator('#fault-submit').click();
    const error = page.locator('#fault-error');
    await error.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await error.textContent()).toMatch(/^latencyMs must be/);
  });

  it('sets the rate limit from the page, and the next requests over it get 429', async () => {
    await page.locator('#rate-per-second').fill('0.1');
    await page.locator('#rate-submit').click();
    await page
      .locator('#rate-state', { hasText: '0.1 requests per second' })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await send(emulator, 'user_42', { body: john })).status);
    expect(statuses).toEqual([200, 429]);
    await logRow('rate limit').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it('empties the table when reset is clicked twice', async () => {
    await send(emulator, 'user_1', { body: john });
    await send(emulator, 'user_2', { body: { email: 'ada@acme.com', name: 'Ada' } });
    await customerRow('user_2').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('#reset').click();
    await page.locator('#reset').click();
    await page.locator('#customers-empty').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.locator('#customer-rows tr').count()).toBe(0);
    await page.locator('#requests-empty').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(emulator.customers(KEY)).toEqual([]);
  });

  it('filters the customers with the search box', async () => {
    await send(emulator, 'user_1', { body: john });
    await send(emulator, 'user_2', { body: { email: 'ada@initech.com', name: 'Ada' } });
    await customerRow('user_2').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('#search').fill('initech');
    await customerRow('user_1').waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    expect(await page.locator('#customer-rows tr.item').count()).toBe(1);
  });

  it('renders customer data as text, never as markup', async () => {
    const name = '<img src=x onerror="window.injected=1"><b>Eve</b>';
    await send(emulator, 'user_<script>', {
      body: { email: 'eve@acme.com', name, metadata: { '<i>k</i>': '<svg onload=alert(1)>' } },
    });
    const row = customerRow('Eve');
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await row.locator('.name').textContent()).toBe(name);
    expect(await row.locator('img, i, svg, script').count()).toBe(0);
    expect(await page.evaluate('window.injected')).toBeUndefined();
  });

  it('exports a snapshot and imports it back from the page', async () => {
    await send(emulator, 'user_1', { body: { ...john, metadata: { plan: 'pro' } } });
    await customerRow('user_1').waitFor({ timeout: UI_TIMEOUT_MS });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
    const path = await download.path();
    const before = emulator.customers(KEY);
    emulator.reset();
    await page.locator('#customers-empty').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('#import-file').setInputFiles(path);
    await customerRow('user_1').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(emulator.customers(KEY)).toEqual(before);
  });
});

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** `chromium` (Debian's: apt-get install chromium) or `chromium-browser` on PATH; undefined when neither is. */
export const chromiumBinary: string | undefined = (process.env.PATH ?? '')
  .split(delimiter)
  .filter(Boolean)
  .flatMap((dir) => [join(dir, 'chromium'), join(dir, 'chromium-browser')])
  .find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/**
 * The page suites skip without Chromium on a developer machine, but never in CI: there the
 * missing browser makes {@link launchChromium} throw, so the suite fails and says why.
 */
export const skipWithoutChromium = chromiumBinary === undefined && !process.env.CI;
if (skipWithoutChromium) {
  console.warn(
    '@supportdesk/emulator: chromium is not installed, skipping the dashboard page suite (apt-get install chromium)',
  );
}

/**
 * Headless Chromium through playwright-core (Playwright's own browser download is not used).
 * Each launch gets a fresh temporary profile from Playwright, removed on close.
 */
export async function launchChromium(): Promise<Browser> {
  if (chromiumBinary === undefined)
    throw new Error('chromium is not installed: install it (apt-get install -y chromium) to run these tests');
  return chromium.launch({
    executablePath: chromiumBinary,
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
}

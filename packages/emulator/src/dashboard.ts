import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { sendError } from './envelope.js';

/**
 * The dashboard's folder, shipped beside dist/. This module sits one folder below the package
 * root both as src/dashboard.ts and bundled into dist/*.js or dist/*.cjs (where tsup's shims
 * provide import.meta.url), so one relative URL serves the tests, both builds and the bin.
 */
export const DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/', import.meta.url));

/** URL path of the dashboard's assets. */
export const ASSETS_PREFIX = '/__emulator/dashboard/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** The page may load only its own files and talk only to its own origin: customer data stays data. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The files of the dashboard, read once each from {@link DASHBOARD_DIR}. */
export class Dashboard {
  readonly #files = new Map<string, Promise<Buffer>>();

  /** Whether `name` is one of the dashboard's files. */
  has(name: string): boolean {
    return Object.hasOwn(CONTENT_TYPES, name);
  }

  /** Send file `name` (one that {@link has}), or a 500 that says the package is incomplete. */
  async send(res: ServerResponse, name: string, method: string): Promise<void> {
    let content: Buffer;
    try {
      content = await this.#read(name);
    } catch {
      this.#files.delete(name);
      sendError(res, 500, 'INTERNAL_ERROR', `The dashboard file ${name} is missing from ${DASHBOARD_DIR}`);
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[name] as string,
      'content-length': content.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(name === 'index.html' ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {}),
    });
    res.end(method === 'HEAD' ? undefined : content);
  }

  #read(name: string): Promise<Buffer> {
    let content = this.#files.get(name);
    if (!content) {
      content = readFile(`${DASHBOARD_DIR}${name}`);
      this.#files.set(name, content);
    }
    return content;
  }
}

import { describe, expect, it } from 'vitest';
import { sendTo, useEmulator } from './support.js';

describe('the dashboard files', () => {
  const emulator = useEmulator();

  it('serves the page at GET / with a Content-Security-Policy that allows only its own files', async () => {
    const response = await fetch(`${emulator().url}/`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html).toContain('<title>SupportDesk emulator</title>');
  });

  it('serves every file the page links to, with its content type', async () => {
    const html = await (await fetch(`${emulator().url}/`)).text();
    const links = [...new Set(html.match(/\/__emulator\/dashboard\/[\w.-]+/g))];
    expect(links.sort()).toEqual([
      '/__emulator/dashboard/app.js',
      '/__emulator/dashboard/favicon.svg',
      '/__emulator/dashboard/style.css',
    ]);
    const types = await Promise.all(
      links.map(async (link) => {
        const response = await fetch(`${emulator().url}${link}`);
        await response.arrayBuffer();
        return [response.status, response.headers.get('content-type')];
      }),
    );
    expect(types).toEqual([
      [200, 'text/javascript; charset=utf-8'],
      [200, 'image/svg+xml'],
      [200, 'text/css; charset=utf-8'],
    ]);
  });

  it('serves the page with a query string too', async () => {
    const response = await fetch(`${emulator().url}/?from=readme`);
    expect([response.status, response.headers.get('content-type')]).toEqual([
      200,
      'text/html; charset=utf-8',
    ]);
    await response.arrayBuffer();
  });

  it('answers HEAD / with the headers and no body', async () => {
    const response = await fetch(`${emulator().url}/`, { method: 'HEAD' });
    expect([response.status, await response.text()]).toEqual([200, '']);
  });

  it.each([
    '/__emulator/dashboard/../../package.json',
    '/__emulator/dashboard/server.ts',
    '/__emulator/dashboard/',
  ])('answers 404 to %s, which is not a dashboard file', async (path) => {
    const answer = await sendTo(emulator(), path, { method: 'GET', apiKey: null });
    expect(answer.status).toBe(404);
  });

  it('answers 405 to a POST to a dashboard file', async () => {
    const answer = await sendTo(emulator(), '/__emulator/dashboard/app.js', { method: 'POST', body: {} });
    expect([answer.status, answer.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('leaves PATCH / to the emulated API, which has no such route', async () => {
    const answer = await sendTo(emulator(), '/', { body: {} });
    expect([answer.status, answer.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });
});

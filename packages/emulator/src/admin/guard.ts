import type { IncomingMessage } from 'node:http';

/** Whether `host` (an address or name the server listens on, or a Host header's name) is loopback. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) ||
    name === '::ffff:127.0.0.1'
  );
}

function hostnameOf(hostHeader: string): string {
  // [::1]:4010 → [::1]; localhost:4010 → localhost
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(hostHeader);
  return match?.[1] ?? hostHeader;
}

/**
 * Why a request to the dashboard or the admin API is refused, or `undefined` when it may go on.
 * A page on another site must not change the emulator or read its snapshot (which holds the
 * keys): a browser names that page in `Origin`, and a DNS-rebinding attack shows in `Host`, which
 * on a loopback-only emulator must be a loopback name.
 */
export function refusal(req: IncomingMessage, loopbackOnly: boolean): string | undefined {
  const host = req.headers.host ?? '';
  if (loopbackOnly && !isLoopbackHost(hostnameOf(host)))
    return `Host ${JSON.stringify(host)} is not a loopback name: open the dashboard at http://127.0.0.1 or http://localhost`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const originHost = URL.canParse(origin) ? new URL(origin).host : undefined;
  if (originHost !== host.toLowerCase())
    return `Requests from the origin ${JSON.stringify(origin)} may not use the emulator's admin API`;
  return undefined;
}

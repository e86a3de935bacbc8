import type { FastifyRequest, RouteOptions } from 'fastify';

// Set only on requests to a route with `config: { supportdesk: false }`, so every other request
// pays one missing-property read and nothing else.
const skipped = Symbol('supportdesk.skipped');

type MarkableRequest = FastifyRequest & { [skipped]?: true };

function markSkipped(request: FastifyRequest, _reply: unknown, done: () => void): void {
  (request as MarkableRequest)[skipped] = true;
  done();
}

/**
 * An `onRoute` hook: a route added with `config: { supportdesk: false }` gets a route-level
 * `onRequest` hook that marks its requests. The config is read once, when the route is added,
 * because reading `request.routeOptions` per request allocates a fresh object each time.
 */
export function skipRoutesConfiguredOff(route: RouteOptions): void {
  if (route.config?.supportdesk !== false) return;
  const existing = route.onRequest;
  const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  if (!hooks.includes(markSkipped)) route.onRequest = [markSkipped, ...hooks];
}

/** Whether this request belongs to a route configured with `supportdesk: false`. */
export function isSkipped(request: FastifyRequest): boolean {
  return (request as MarkableRequest)[skipped] === true;
}

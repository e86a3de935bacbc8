import type { ServerResponse } from 'node:http';
import { sendError } from '../envelope.js';

/** Bytes a slow client may have waiting in its connection before it is cut off. */
export const MAX_BUFFERED_EVENT_BYTES = 1024 * 1024;

/** Open event streams at most: every tab of the dashboard holds one. */
export const MAX_EVENT_CLIENTS = 64;

/** What changed, so a page reloads just that: sent as `event: changed`. */
export type Change = 'customers' | 'faults' | 'rate-limit' | 'reset';

/**
 * Server-Sent Events to every open `GET /__emulator/events`. No timer: a stream costs nothing
 * while quiet. A client that does not read is disconnected once its backlog passes
 * {@link MAX_BUFFERED_EVENT_BYTES}; its EventSource reconnects and reloads the state.
 */
export class EventHub {
  readonly #clients = new Set<ServerResponse>();

  /** Answer `res` with an event stream and keep it until the client leaves or {@link closeAll}. */
  open(res: ServerResponse): void {
    if (this.#clients.size >= MAX_EVENT_CLIENTS) {
      sendError(res, 503, 'SERVICE_UNAVAILABLE', `At most ${MAX_EVENT_CLIENTS} event streams may be open`);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    // A reconnect soon after the emulator restarts; the comment makes the headers go out now.
    res.write('retry: 1000\n: connected\n\n');
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  /** Send one event to every client; `data` goes out as one line of JSON. */
  publish(event: 'request' | 'changed', data: unknown): void {
    if (this.#clients.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.#clients) {
      res.write(frame);
      if (res.writableLength > MAX_BUFFERED_EVENT_BYTES) {
        this.#clients.delete(res);
        res.destroy();
      }
    }
  }

  /** Tell every client that `what` changed. */
  changed(what: Change): void {
    this.publish('changed', { what });
  }

  /** End every stream, so closing the server does not wait on them. */
  closeAll(): void {
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}

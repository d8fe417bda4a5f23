import type { ServerResponse } from 'node:http';

/**
 * A Server-Sent Events response on a raw Node response: `event:` names OpenAI's stream event types
 * (`image_generation.partial_image`, `image_generation.completed`) plus MaskGen's own
 * (`maskgen.queued`, `maskgen.progress`), and every `data:` is one JSON line.
 */
export class SseStream {
  constructor(private readonly res: ServerResponse) {}

  /** Sends the 200 status and stream headers (plus `extra`, e.g. CORS headers set earlier). */
  open(extra: Record<string, string | number | string[] | undefined>): void {
    const headers: Record<string, string | number | string[]> = {};
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) headers[k] = v;
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    this.res.flushHeaders();
  }

  /** Writes one event unless the client has gone. */
  send(event: string, data: unknown): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    this.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream with OpenAI's `[DONE]` sentinel (closing the connection when `close`, e.g. while draining). */
  end(close = false): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (close) this.res.shouldKeepAlive = false;
    this.res.end('data: [DONE]\n\n');
  }
}

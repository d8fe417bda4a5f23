import cors from '@fastify/cors';
import type { TextToImage } from '@maskgen/pipeline';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';
import { bearerCheck } from './auth.js';
import { ImageStore } from './image-store.js';
import { JobQueue } from './job-queue.js';
import { Metrics } from './metrics.js';
import { type ImageServerOptions, resolveOptions } from './options.js';
import { registerRoutes } from './routes.js';

/** A running (or about to run) image API. */
export interface ImageServer {
  /** The Fastify instance (for `inject` in tests, or more routes). */
  readonly app: FastifyInstance;
  /** Resolves when the model is loaded and warmed up (/readyz turns 200); rejects if loading failed. */
  readonly ready: Promise<void>;
  /** Starts listening (host defaults to 127.0.0.1) and returns the base URL. */
  listen(opts?: { port?: number; host?: string }): Promise<string>;
  /**
   * Graceful stop: refuses new work (503, /readyz 503), lets accepted requests finish, then closes and
   * frees the model. After `timeoutMs` the remaining generations are cancelled.
   */
  drain(opts?: { timeoutMs?: number }): Promise<void>;
}

/** Server state shared by the routes. */
export interface ServerState {
  model?: TextToImage;
  size?: string;
  draining: boolean;
  readonly shutdown: AbortController;
}

function fastifyToApiError(e: FastifyError): ApiError {
  if (e instanceof ApiError) return e;
  const status = e.statusCode ?? 500;
  if (status === 413) return new ApiError(413, `request body too large: ${e.message}`, 'body_too_large');
  if (status === 415) return new ApiError(415, 'expected Content-Type: application/json', 'unsupported_media_type');
  if (status >= 400 && status < 500) return new ApiError(status, e.message, 'invalid_request_body');
  return new ApiError(500, 'internal server error', 'server_error');
}

/**
 * The OpenAI-compatible image API around one text-to-image model, with bounded queueing, bearer
 * auth, CORS (off unless asked), SSE progress, health and Prometheus metrics. The model is injected
 * through `load`, so the server never chooses a runtime or reads a path a request names.
 */
export function createImageServer(options: ImageServerOptions): ImageServer {
  const o = resolveOptions(options);
  const app = Fastify({ bodyLimit: o.bodyLimit, logger: false, return503OnClosing: true });
  const state: ServerState = { draining: false, shutdown: new AbortController() };
  const queue = new JobQueue(o.concurrency, o.maxQueue);
  const metrics = new Metrics();
  const store = new ImageStore(o.maxStoredImages, o.urlTtlMs);

  app.setErrorHandler((e: FastifyError, _req, reply) => {
    const err = fastifyToApiError(e);
    if (err.status >= 500 && !(e instanceof ApiError)) o.log(`error: ${e.stack ?? e.message}`);
    void reply.code(err.status).headers(err.headers).send(err.body());
  });
  app.setNotFoundHandler((req, reply) => {
    const err = new ApiError(404, `no route ${req.method} ${req.url.slice(0, 100)}`, 'not_found');
    void reply.code(404).send(err.body());
  });
  if (o.cors) void app.register(cors, { origin: o.cors === true ? '*' : o.cors, methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type'] });
  if (o.token) {
    const check = bearerCheck(o.token);
    app.addHook('onRequest', async (req) => {
      // The matched route pattern, not the raw URL, decides what is open: no `..` trick reaches a guarded route.
      if (req.method !== 'OPTIONS') check(req.routeOptions.url ?? req.url, req.headers.authorization);
    });
  }
  app.addHook('onSend', async (_req, reply) => {
    if (state.draining) void reply.header('connection', 'close');
  });
  registerRoutes(app, { o, state, queue, metrics, store });

  const loading = new AbortController();
  const ready = (async () => {
    o.log('loading the model…');
    const model = await o.load(loading.signal);
    // One tiny run warms the sessions and tells the image size the `size` field must name.
    const warm = await model.generate(['warm-up'], { seed: 0, steps: 1, signal: loading.signal });
    state.size = `${warm.images[0].width}x${warm.images[0].height}`;
    state.model = model;
    o.log(`ready: ${model.modelId} (${state.size})`);
  })();
  ready.catch((e) => o.log(`loading failed: ${(e as Error).message}`));

  return {
    app,
    ready,
    async listen({ port = 0, host = '127.0.0.1' } = {}) {
      const url = await app.listen({ port, host });
      return url;
    },
    async drain({ timeoutMs = 60_000 } = {}) {
      state.draining = true;
      loading.abort(new Error('server shutting down'));
      const force = setTimeout(() => state.shutdown.abort(), timeoutMs);
      // Keep-alive connections that finish a response while draining would otherwise hold close() for the keep-alive timeout.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      try {
        await app.close();
        await queue.idle();
      } finally {
        clearTimeout(force);
        clearInterval(sweep);
      }
      await ready.catch(() => undefined);
      await state.model?.dispose();
      state.model = undefined;
    },
  };
}

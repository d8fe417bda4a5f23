import { encodePng } from '@maskgen/image';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';
import { JobControl, runGeneration, toPng } from './generation.js';
import type { ImageStore } from './image-store.js';
import { parseImagesRequest } from './images-request.js';
import type { JobQueue } from './job-queue.js';
import type { Metrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import type { ServerState } from './server.js';
import { SseStream } from './sse.js';

interface Deps {
  o: ResolvedOptions;
  state: ServerState;
  queue: JobQueue;
  metrics: Metrics;
  store: ImageStore;
}

/** The HTTP surface: OpenAI's images and models endpoints, image URLs, health, readiness, metrics. */
export function registerRoutes(app: FastifyInstance, { o, state, queue, metrics, store }: Deps): void {
  const b64 = (png: Uint8Array) => Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64');

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = state.model !== undefined && !state.draining;
    return reply.code(ready ? 200 : 503).send({ status: state.draining ? 'draining' : ready ? 'ready' : 'loading', model: state.model?.modelId ?? null });
  });
  app.get('/metrics', async (_req, reply) =>
    reply
      .type('text/plain; version=0.0.4')
      .send(metrics.render({ queueDepth: queue.depth, running: queue.active, ready: state.model !== undefined && !state.draining })),
  );
  app.get('/v1/models', async () => ({
    object: 'list',
    data: state.model ? [{ id: state.model.modelId, object: 'model', created: 0, owned_by: 'maskgen' }] : [],
  }));
  app.get<{ Params: { id: string } }>('/v1/images/files/:id', async (req, reply) => {
    const png = store.get(req.params.id.replace(/\.png$/, ''));
    if (!png) throw new ApiError(404, 'no such image (ids expire; see urlTtlMs)', 'not_found');
    return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(Buffer.from(png));
  });

  app.post('/v1/images/generations', async (req, reply) => {
    const t0 = performance.now();
    const refuse = (reason: string, err: ApiError) => {
      metrics.count(metrics.rejected, reason);
      metrics.count(metrics.requests, String(err.status));
      return err;
    };
    if (state.draining) throw refuse('draining', new ApiError(503, 'the server is shutting down', 'shutting_down', null, { connection: 'close' }));
    const model = state.model;
    if (!model || !state.size)
      throw refuse('not_ready', new ApiError(503, 'the model is still loading; see /readyz', 'not_ready', null, { 'retry-after': '5' }));
    let request;
    try {
      request = parseImagesRequest(req.body, { size: state.size, maxPromptChars: o.maxPromptChars, maxImages: o.maxImages, maxSteps: o.maxSteps });
      if (request.model !== undefined && request.model !== model.modelId) {
        throw new ApiError(
          404,
          `The model ${JSON.stringify(request.model.slice(0, 200))} does not exist; this server serves ${JSON.stringify(model.modelId)} (GET /v1/models)`,
          'model_not_found',
          'model',
        );
      }
    } catch (e) {
      throw e instanceof ApiError ? refuse('invalid', e) : e;
    }
    if (queue.full) throw refuse('queue_full', queue.busyError());

    const control = new JobControl();
    const onClose = () => {
      if (!reply.raw.writableFinished) control.stop('client');
    };
    reply.raw.on('close', onClose);
    // A client that left while its body was being read has already fired 'close'.
    if (req.raw.socket.destroyed) control.stop('client');
    const timer = setTimeout(() => control.stop('timeout'), o.timeoutMs);
    const onShutdown = () => control.stop('shutdown');
    state.shutdown.signal.addEventListener('abort', onShutdown);
    const sse = request.stream ? new SseStream(reply.raw) : undefined;
    if (sse) {
      reply.hijack();
      sse.open(reply.getHeaders());
      sse.send('maskgen.queued', { type: 'maskgen.queued', position: queue.depth + (queue.active >= queue.concurrency ? 1 : 0) });
    }
    const created = Math.floor(Date.now() / 1000);
    try {
      const result = await queue
        .run(
          () =>
            runGeneration(
              model,
              request,
              control,
              sse && {
                onStep: (step, total) => sse.send('maskgen.progress', { type: 'maskgen.progress', step, total }),
                onPartial: (index, images) =>
                  images.forEach((img, i) =>
                    sse.send('image_generation.partial_image', {
                      type: 'image_generation.partial_image',
                      b64_json: b64(encodePng(img, { prompt: request.prompt, Software: 'maskgen.js' })),
                      partial_image_index: index,
                      image_index: i,
                      created_at: Math.floor(Date.now() / 1000),
                      size: state.size,
                      output_format: 'png',
                      background: 'opaque',
                      quality: 'auto',
                    }),
                  ),
              },
            ),
          control.signal,
        )
        .catch((e) => {
          throw control.reason ? control.error() : e;
        });
      const pngs = result.images.map((img) => toPng(img, request.prompt, result, model.modelId));
      const ext = { seed: result.seed, model: model.modelId, settings: result.settings };
      metrics.observe((performance.now() - t0) / 1000, pngs.length);
      metrics.count(metrics.requests, '200');
      if (sse) {
        pngs.forEach((png, i) =>
          sse.send('image_generation.completed', {
            type: 'image_generation.completed',
            b64_json: b64(png),
            image_index: i,
            created_at: created,
            size: state.size,
            output_format: 'png',
            background: 'opaque',
            quality: 'auto',
            usage: { input_tokens: 0, input_tokens_details: { image_tokens: 0, text_tokens: 0 }, output_tokens: 0, total_tokens: 0 },
            maskgen: ext,
          }),
        );
        sse.end(state.draining);
        return;
      }
      const base = o.publicUrl ?? `${req.protocol}://${req.host}`;
      const data = pngs.map((png) => (request.responseFormat === 'url' ? { url: `${base}/v1/images/files/${store.put(png)}.png` } : { b64_json: b64(png) }));
      return await reply.code(200).send({ created, data, size: state.size, output_format: 'png', maskgen: ext });
    } catch (e) {
      // A model or runtime failure's text (ORT internals, file paths) stays in the server log; the client gets the request id to quote.
      const err = e instanceof ApiError ? e : new ApiError(500, `the generation failed (request ${req.id}); the server log has the details`, 'server_error');
      if (!(e instanceof ApiError)) o.log(`generation failed (request ${req.id}): ${(e as Error)?.stack ?? String(e)}`);
      if (err.status !== 429) metrics.count(metrics.failures, control.reason ?? (err.status >= 500 ? 'error' : 'invalid'));
      metrics.count(metrics.requests, String(err.status));
      if (!sse) throw err;
      sse.send('error', err.body());
      sse.end(state.draining);
    } finally {
      clearTimeout(timer);
      reply.raw.off('close', onClose);
      state.shutdown.signal.removeEventListener('abort', onShutdown);
    }
  });
}

import { describe, expect, it } from 'vitest';
import { createImageServer } from '../src/index.js';
import { useGoldenServers } from './golden-server.js';

const golden = useGoldenServers();
const TOKEN = 'sk-limits';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** [case, body (object → JSON, string → raw), extra headers, status, error code, param]. */
const CASES: [string, unknown, Record<string, string>, number, string, string | null][] = [
  ['no token', { prompt: 'x' }, { authorization: '' }, 401, 'invalid_api_key', null],
  ['wrong token', { prompt: 'x' }, { authorization: 'Bearer sk-wrong' }, 401, 'invalid_api_key', null],
  ['basic scheme', { prompt: 'x' }, { authorization: `Basic ${TOKEN}` }, 401, 'invalid_api_key', null],
  ['unknown field', { prompt: 'x', style: 'vivid' }, {}, 400, 'unknown_parameter', 'style'],
  ['prototype poisoning', '{"prompt":"x","__proto__":{"n":9}}', {}, 400, 'invalid_request_body', null],
  ['missing prompt', { n: 1 }, {}, 400, 'missing_required_parameter', 'prompt'],
  ['blank prompt', { prompt: '   ' }, {}, 400, 'missing_required_parameter', 'prompt'],
  ['prompt not a string', { prompt: ['a'] }, {}, 400, 'missing_required_parameter', 'prompt'],
  ['prompt too long', { prompt: 'x'.repeat(51) }, {}, 400, 'string_above_max_length', 'prompt'],
  ['n above the limit', { prompt: 'x', n: 3 }, {}, 400, 'invalid_value', 'n'],
  ['n zero', { prompt: 'x', n: 0 }, {}, 400, 'invalid_value', 'n'],
  ['n fractional', { prompt: 'x', n: 1.5 }, {}, 400, 'invalid_value', 'n'],
  ['other size', { prompt: 'x', size: '256x256x' }, {}, 400, 'invalid_value', 'size'],
  ['dall-e size', { prompt: 'x', size: '1024x1024' }, {}, 400, 'invalid_value', 'size'],
  ['response_format', { prompt: 'x', response_format: 'png' }, {}, 400, 'invalid_value', 'response_format'],
  ['output_format', { prompt: 'x', output_format: 'webp' }, {}, 400, 'invalid_value', 'output_format'],
  ['steps zero', { prompt: 'x', steps: 0 }, {}, 400, 'invalid_value', 'steps'],
  ['steps above max', { prompt: 'x', steps: 101 }, {}, 400, 'invalid_value', 'steps'],
  ['negative seed', { prompt: 'x', seed: -1 }, {}, 400, 'invalid_value', 'seed'],
  ['seed as string', { prompt: 'x', seed: '7' }, {}, 400, 'invalid_value', 'seed'],
  ['guidance out of range', { prompt: 'x', guidance_scale: -1 }, {}, 400, 'invalid_value', 'guidance_scale'],
  ['stream not boolean', { prompt: 'x', stream: 'yes' }, {}, 400, 'invalid_value', 'stream'],
  ['too many partial images', { prompt: 'x', stream: true, partial_images: 4 }, {}, 400, 'invalid_value', 'partial_images'],
  ['user too long', { prompt: 'x', user: 'u'.repeat(300) }, {}, 400, 'invalid_value', 'user'],
  ['unknown model', { prompt: 'x', model: 'dall-e-3' }, {}, 404, 'model_not_found', 'model'],
  ['model as a path', { prompt: 'x', model: '../../../etc/passwd' }, {}, 404, 'model_not_found', 'model'],
  ['model as an absolute path', { prompt: 'x', model: '/work/shared/golden/e2e_vq' }, {}, 404, 'model_not_found', 'model'],
  ['array body', [{ prompt: 'x' }], {}, 400, 'invalid_request_body', null],
  ['broken JSON', '{"prompt": ', {}, 400, 'invalid_request_body', null],
  ['body too large', { prompt: 'x', user: 'u'.repeat(3000) }, {}, 413, 'body_too_large', null],
  ['not JSON', '<prompt/>', { 'content-type': 'application/xml' }, 415, 'unsupported_media_type', null],
];

describe("every error in OpenAI's shape, before any work is queued", () => {
  it.each(CASES)(
    '%s',
    async (_name, body, headers, status, code, param) => {
      const { server } = await golden.start({ token: TOKEN, maxPromptChars: 50, maxImages: 2, bodyLimit: 2048 });
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/images/generations',
        headers: { ...auth, ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect(res.statusCode, res.body).toBe(status);
      const { error } = res.json();
      expect(error).toMatchObject({ code, param });
      expect(typeof error.message).toBe('string');
      expect(error.type).toBe(status === 401 ? 'authentication_error' : 'invalid_request_error');
      if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
      // Nothing bad was counted as a generation.
      const metrics = (await server.app.inject({ url: '/metrics', headers: auth })).body;
      expect(metrics).toMatch(/^maskgen_images_generated_total 0$/m);
    },
    60_000,
  );

  it('keeps guarded routes guarded whatever the URL spelling; health and image URLs stay open', async () => {
    const { server } = await golden.start({ token: TOKEN });
    for (const url of [
      '/v1/images/files/../../v1/models',
      '/v1/images/files/%2e%2e/%2e%2e/v1/models',
      '/v1/models?/healthz',
      '/metrics#/readyz',
      '//v1/models',
    ]) {
      const res = await server.app.inject({ url });
      expect(res.statusCode, url).not.toBe(200);
    }
    expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/v1/images/files/00000000-0000-0000-0000-000000000000.png' })).statusCode).toBe(404);
  }, 60_000);

  it('answers unknown routes and methods with a 404 in the same shape', async () => {
    const { server } = await golden.start();
    for (const [method, url] of [
      ['GET', '/v1/images/generations'],
      ['GET', '/v1/images/edits'],
      ['DELETE', '/v1/models'],
      ['GET', '/../../etc/passwd'],
    ] as const) {
      const res = await server.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });
});

describe('a failure inside the model', () => {
  it("answers a fixed 500 in OpenAI's shape, keeps the error text and stack in the server log, and counts it", async () => {
    const logged: string[] = [];
    let calls = 0;
    const { server } = await golden.start({
      token: TOKEN,
      log: (line) => logged.push(line),
      // The warm-up run succeeds; every request's run then fails the way a runtime error naming a file would.
      load: async () => {
        const model = await golden.shared();
        return { ...model, generate: (...args) => (calls++ === 0 ? model.generate(...args) : Promise.reject(new Error('/secret/path boom'))) };
      },
    });
    for (const stream of [false, true]) {
      const res = await server.app.inject({ method: 'POST', url: '/v1/images/generations', headers: auth, payload: { prompt: 'x', steps: 1, stream } });
      const body = stream ? JSON.parse(/^event: error\ndata: (.*)$/m.exec(res.body)?.[1] ?? 'null') : res.json();
      expect(res.statusCode, res.body).toBe(stream ? 200 : 500);
      expect(body.error).toMatchObject({ type: 'server_error', code: 'server_error', param: null });
      expect(body.error.message).toMatch(/the generation failed \(request req-\w+\)/);
      expect(res.body).not.toMatch(/secret|boom|    at |\.ts:\d|node_modules/);
    }
    expect(calls).toBe(3);
    const detail = logged.filter((l) => l.includes('/secret/path boom'));
    expect(detail).toHaveLength(2);
    expect(detail[0]).toMatch(/^generation failed \(request req-\w+\): Error: \/secret\/path boom\n {4}at /);
    const m = (await server.app.inject({ url: '/metrics', headers: auth })).body;
    expect(m).toMatch(/^maskgen_generation_failures_total\{reason="error"\} 2$/m);
    expect(m).toMatch(/^maskgen_requests_total\{status="500"\} 2$/m);
  }, 60_000);
});

describe('health, readiness, CORS and metrics', () => {
  it('answers /healthz at once and /readyz 503 until the model is loaded; generations wait for it too', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const server = createImageServer({ token: TOKEN, load: async () => (await gate, golden.shared()) });
    try {
      expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      const early = await server.app.inject({ url: '/readyz' });
      expect([early.statusCode, early.json().status]).toEqual([503, 'loading']);
      const gen = await server.app.inject({ method: 'POST', url: '/v1/images/generations', headers: auth, payload: { prompt: 'x' } });
      expect([gen.statusCode, gen.json().error.code, gen.headers['retry-after']]).toEqual([503, 'not_ready', '5']);
      release();
      await server.ready;
      const ready = await server.app.inject({ url: '/readyz' });
      expect([ready.statusCode, ready.json().status]).toEqual([200, 'ready']);
    } finally {
      release();
      await server.drain();
    }
    const after = await server.app.inject({ url: '/readyz' }).catch(() => undefined);
    expect(after?.statusCode ?? 503).toBe(503);
  }, 60_000);

  it('sends no CORS headers by default, and only the configured origins when asked', async () => {
    const closed = (await golden.start()).server;
    const plain = await closed.app.inject({ url: '/v1/models', headers: { origin: 'https://evil.example' } });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    const open = (await golden.start({ token: TOKEN, cors: ['https://app.example'] })).server;
    const ok = await open.app.inject({ url: '/v1/models', headers: { ...auth, origin: 'https://app.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await open.app.inject({ url: '/v1/models', headers: { ...auth, origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // Preflights carry no credentials, so they pass the token check.
    const pre = await open.app.inject({
      method: 'OPTIONS',
      url: '/v1/images/generations',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/);
  }, 60_000);

  it('exposes queue depth, images/s, a latency histogram and failures in Prometheus text', async () => {
    const { server } = await golden.start({ token: TOKEN });
    const ok = await server.app.inject({ method: 'POST', url: '/v1/images/generations', headers: auth, payload: { prompt: 'x', n: 2, steps: 1, seed: 1 } });
    expect(ok.statusCode).toBe(200);
    await server.app.inject({ method: 'POST', url: '/v1/images/generations', headers: auth, payload: { prompt: 'x', bogus: 1 } });
    expect((await server.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const res = await server.app.inject({ url: '/metrics', headers: auth });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const m = res.body;
    expect(m).toMatch(/^# TYPE maskgen_queue_depth gauge\nmaskgen_queue_depth 0$/m);
    expect(m).toMatch(/^maskgen_images_generated_total 2$/m);
    expect(m).toMatch(/^maskgen_images_per_second 0\.0333/m);
    expect(m).toMatch(/^maskgen_request_duration_seconds_bucket\{le="\+Inf"\} 1$/m);
    expect(m).toMatch(/^maskgen_request_duration_seconds_count 1$/m);
    expect(m).toMatch(/^maskgen_requests_total\{status="400"\} 1$/m);
    expect(m).toMatch(/^maskgen_rejected_total\{reason="invalid"\} 1$/m);
    expect(m).toMatch(/^# TYPE maskgen_generation_failures_total counter$/m);
    expect(m).toMatch(/^process_resident_memory_bytes \d+$/m);
  }, 60_000);
});

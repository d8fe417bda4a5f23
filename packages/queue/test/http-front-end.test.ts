// docs:begin (docs/scale-out.md quotes this block verbatim; the test below runs it)
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { join } from 'node:path';
import type { PromptItem } from '@maskgen/pipeline';
import { type ModelSpec, enqueueItems, imageJobId, openImageQueue, queueStatus, waitForJob } from '@maskgen/queue';

/**
 * POST {"prompt", "seed"?, "steps"?} → the PNG, made by whichever `maskgen worker` takes the job. The same
 * request twice is one job (its id and file name are hashes of its content); a deep queue answers 503.
 */
export async function queueFrontEnd(o: { url: string; name?: string; models: ModelSpec; dir: string; maxWaiting: number }): Promise<Server> {
  const q = await openImageQueue({ url: o.url, name: o.name });
  const server = createServer(async (req, res) => {
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    try {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { prompt, seed = Math.floor(Math.random() * 2 ** 31), steps } = JSON.parse(body) as { prompt: string; seed?: number; steps?: number };
      const { counts, etaSeconds } = await queueStatus(q);
      if (counts.waiting >= o.maxWaiting) return void res.writeHead(503, { 'Retry-After': String(etaSeconds ?? 60) }).end();
      const settings = { steps };
      const name = createHash('sha256')
        .update(JSON.stringify([prompt, seed, settings]))
        .digest('hex')
        .slice(0, 24);
      const item: PromptItem = { index: 0, line: 0, image: 0, prompt, seed, file: `http-${name}.png` };
      await enqueueItems(q, [item], o.models, settings, o.dir);
      const record = await waitForJob(q, imageJobId({ item, models: o.models, settings }), { signal: ac.signal });
      res.writeHead(200, { 'Content-Type': 'image/png', 'X-Seed': String(record.seed) }).end(await readFile(join(o.dir, record.file)));
    } catch (e) {
      if (!res.headersSent && !res.destroyed) res.writeHead(500, { 'Content-Type': 'text/plain' }).end((e as Error).message);
    }
  });
  server.on('close', () => void q.close());
  return server;
}
// docs:end

import type { TextToImage } from '@maskgen/pipeline';
import { type TestRedis, startRedisServer } from '@maskgen/test-utils';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startImageWorker } from '../src/index.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.close());

const models: ModelSpec = { generator: 'owner/gen@0123456789abcdef0123456789abcdef01234567', tokenizer: '', textEncoder: '', precision: 'float32' };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the HTTP front end of docs/scale-out.md', () => {
  it('is quoted verbatim by the docs', () => {
    const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const block = source.slice(source.indexOf('\n', source.indexOf('// docs:begin')) + 1, source.indexOf('// docs:end'));
    const docs = readFileSync(fileURLToPath(new URL('../../../docs/scale-out.md', import.meta.url)), 'utf8');
    expect(block.length).toBeGreaterThan(500);
    expect(docs).toContain(`\`\`\`ts\n${block}\`\`\``);
  });

  it('answers a POST with the PNG a worker made; the same request again is the same job; a deep queue answers 503', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-http-'));
    const calls: string[] = [];
    const t2i = {
      async generate(prompts: string[]) {
        calls.push(...prompts);
        return { images: prompts.map(() => ({ width: 2, height: 2, data: new Uint8Array(16).fill(77) })), settings: { steps: 4 }, seed: 0 };
      },
    } as unknown as TextToImage;
    const worker = startImageWorker({ url: redis.url, name: 'http', t2i, modelId: 'owner/gen', models, dir });
    const server = await queueFrontEnd({ url: redis.url, name: 'http', models, dir, maxWaiting: 10 });
    const url = await listen(server);
    const post = () => fetch(url, { method: 'POST', body: JSON.stringify({ prompt: 'a fox', seed: 7, steps: 4 }) });
    const first = await post();
    expect(first.status, await first.clone().text()).toBe(200);
    expect([first.headers.get('content-type'), first.headers.get('x-seed')]).toEqual(['image/png', '7']);
    const png = Buffer.from(await first.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const second = await post();
    expect(Buffer.from(await second.arrayBuffer()).equals(png)).toBe(true);
    expect(calls).toEqual(['a fox']);
    await worker.stop();
    server.close();

    const full = await queueFrontEnd({ url: redis.url, name: 'http', models, dir, maxWaiting: 0 });
    const busy = await fetch(await listen(full), { method: 'POST', body: JSON.stringify({ prompt: 'an owl' }) });
    expect([busy.status, busy.headers.get('retry-after')]).toEqual([503, '0']);
    full.close();
    rmSync(dir, { recursive: true });
  }, 60_000);
});

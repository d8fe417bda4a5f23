import { type TextToImage, planPromptItems } from '@maskgen/pipeline';
import { type TestRedis, startRedisServer } from '@maskgen/test-utils';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelSpec, enqueueItems, imageJobId, openImageQueue, startImageWorker, waitForJob } from '../src/index.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.close());

const spec: ModelSpec = { generator: 'owner/gen@main', tokenizer: '', textEncoder: '', precision: 'float32' };
const items = planPromptItems(
  [
    { index: 1, line: 1, prompt: 'a fox' },
    { index: 2, line: 2, prompt: 'an owl' },
  ],
  3,
);

/** A stand-in model that draws a flat image and counts its calls (the real models run in the CLI tests). */
function countingModel() {
  const calls: string[] = [];
  const t2i = {
    family: 'vq',
    async generate(prompts: string[]) {
      calls.push(...prompts);
      return { images: prompts.map(() => ({ width: 2, height: 2, data: new Uint8Array(16).fill(9) })), settings: { steps: 4 }, seed: 0, tokens: undefined };
    },
  } as unknown as TextToImage;
  return { t2i, calls };
}

async function untilCounts(name: string, want: Record<string, number>) {
  const q = await openImageQueue({ url: redis.url, name });
  try {
    for (let i = 0; i < 400; i++) {
      const c = await q.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
      if (Object.entries(want).every(([k, v]) => c[k] === v)) return c;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`counts never reached ${JSON.stringify(want)}`);
  } finally {
    await q.close();
  }
}

describe('startImageWorker against a real Redis', () => {
  it('refuses a job queued for other models: the job goes back to waiting, nothing is generated, the worker stops with the reason', async () => {
    const q = await openImageQueue({ url: redis.url, name: 'refuse' });
    await enqueueItems(q, items.slice(0, 1), spec, { steps: 4 });
    await q.close();
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-w-'));
    const m = countingModel();
    const w = startImageWorker({ url: redis.url, name: 'refuse', t2i: m.t2i, modelId: 'owner/gen', models: { ...spec, precision: 'int8' }, dir });
    await expect(w.done).rejects.toThrow(/queued for other models \(precision: job wants "float32", this worker loaded "int8"\)/);
    expect(m.calls).toEqual([]);
    await untilCounts('refuse', { waiting: 1, active: 0, failed: 0, completed: 0 });
    rmSync(dir, { recursive: true });
  }, 60_000);

  it('does not redo or re-record an item results.jsonl already has (a retry after a crash between write and acknowledgement)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-w-'));
    const first = countingModel();
    const w1 = startImageWorker({ url: redis.url, name: 'once', t2i: first.t2i, modelId: 'owner/gen', models: spec, dir });
    const q = await openImageQueue({ url: redis.url, name: 'once' });
    expect(await enqueueItems(q, items, spec, { steps: 4 }, dir)).toMatchObject({ added: 2 });
    await untilCounts('once', { completed: 2 });
    await w1.stop();
    const id = imageJobId({ item: items[0], models: spec, settings: { steps: 4 } });
    expect(await waitForJob(q, id)).toMatchObject({ file: items[0].file, job: id, prompt: 'a fox' });
    await expect(waitForJob(q, 'img-missing')).rejects.toThrow(/job img-missing is not in queue "once"/);
    expect(first.calls.sort()).toEqual(['a fox', 'an owl']);
    // Both jobs run again (as after a stall): the second worker finds them recorded and writes nothing.
    for (const it of items) await (await q.queue.getJob((await q.queue.getCompleted()).find((j) => j.data.item.file === it.file)!.id!))!.retry('completed');
    const second = countingModel();
    const w2 = startImageWorker({ url: redis.url, name: 'once', t2i: second.t2i, modelId: 'owner/gen', models: spec, dir });
    await untilCounts('once', { completed: 2, waiting: 0, active: 0 });
    await w2.stop();
    expect(second.calls).toEqual([]);
    expect(readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    // The producer: done items are not queued; a completed job whose file vanished is queued again.
    rmSync(join(dir, items[1].file));
    expect(await enqueueItems(q, items, spec, { steps: 4 }, dir)).toEqual({ added: 0, done: 1, pending: 0, failed: 0, requeued: 1 });
    await expect(enqueueItems(q, items, { ...spec, generator: 'other/gen@main' }, { steps: 4 }, dir)).rejects.toThrow(
      /queue "once" holds jobs for other models \(generator: job wants "other\/gen@main", the queue has "owner\/gen@main"\)/,
    );
    await q.close();
    rmSync(dir, { recursive: true });
  }, 60_000);
});

import { type TextToImage, planPromptItems } from '@maskgen/pipeline';
import { type TestRedis, startRedisServer } from '@maskgen/test-utils';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ModelSpec,
  type WorkerEvent,
  drainQueue,
  enqueueItems,
  imageJobId,
  openImageQueue,
  queueStatus,
  startImageWorker,
  waitForJob,
} from '../src/index.js';

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

  it('a worker starting removes partial files older than its stall interval (a writer killed mid-write), and only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-w-'));
    const stale = join(dir, `${items[0].file}.partial-123456-k1ll3d`);
    const fresh = join(dir, `${items[1].file}.partial-123457-wr1t1n`);
    writeFileSync(stale, 'half a png');
    writeFileSync(fresh, 'being written');
    const old = (Date.now() - 10_000) / 1000;
    utimesSync(stale, old, old);
    let cleaned!: (files: string[]) => void;
    const files = new Promise<string[]>((resolve) => (cleaned = resolve));
    const w = startImageWorker({
      url: redis.url,
      name: 'clean',
      t2i: countingModel().t2i,
      modelId: 'owner/gen',
      models: spec,
      dir,
      stallMs: 5000,
      onEvent: (e: WorkerEvent) => {
        if (e.type === 'cleaned') cleaned(e.files);
      },
    });
    expect(await files).toEqual([`${items[0].file}.partial-123456-k1ll3d`]);
    await w.stop();
    expect([existsSync(stale), existsSync(fresh)]).toEqual([false, true]);
    rmSync(dir, { recursive: true });
  }, 60_000);

  it('status: throughput over the recent completions and the ETA of what is left, at an injected clock; drain removes only jobs not started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-w-'));
    const q = await openImageQueue({ url: redis.url, name: 'rate' });
    const w = startImageWorker({ url: redis.url, name: 'rate', t2i: countingModel().t2i, modelId: 'owner/gen', models: spec, dir });
    await enqueueItems(q, items, spec, { steps: 4 }, dir);
    await untilCounts('rate', { completed: 2, active: 0 });
    await w.stop();
    const later = planPromptItems(
      [
        { index: 3, line: 3, prompt: 'a newt' },
        { index: 4, line: 4, prompt: 'a vole' },
      ],
      3,
    );
    expect(await enqueueItems(q, later, spec, { steps: 4 }, dir)).toMatchObject({ added: 2 });
    const first = Math.min(...(await q.queue.getCompleted()).map((j) => j.finishedOn!));
    // 2 images in the minute since the first finished: 2/min, so the 2 waiting take 60 s.
    const st = await queueStatus(q, { now: first + 60_000 });
    expect(st.counts).toMatchObject({ completed: 2, waiting: 2, active: 0 });
    expect(st.perMinute).toBeCloseTo(2, 10);
    expect(st.etaSeconds).toBe(60);
    // Within the first second the window is 1 s (not less): 120/min, ETA 1 s.
    expect(await queueStatus(q, { now: first + 200 })).toMatchObject({ perMinute: 120, etaSeconds: 1 });
    expect(await drainQueue(q)).toBe(2);
    expect(await queueStatus(q, { now: first + 60_000 })).toMatchObject({ counts: { waiting: 0, completed: 2 }, etaSeconds: 0 });
    await q.close();
    rmSync(dir, { recursive: true });
  }, 60_000);
});

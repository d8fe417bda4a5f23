import { describe, expect, it } from 'vitest';
import { JobQueue } from '../src/index.js';
import { useGoldenServers } from './golden-server.js';

const golden = useGoldenServers();
const json = { 'content-type': 'application/json' };

/** Reads a metric's value from the Prometheus text. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name.replace(/[{}"+]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

async function until(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('JobQueue', () => {
  it('runs in order up to its concurrency, refuses beyond its bound, and drops a waiter whose signal aborts', async () => {
    const q = new JobQueue(1, 2);
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const job = (i: number) => () => new Promise<number>((r) => gates.push(() => (order.push(i), r(i))));
    const never = new AbortController();
    const a = q.run(job(1), never.signal);
    const leave = new AbortController();
    const b = q.run(job(2), leave.signal);
    const c = q.run(job(3), never.signal);
    await expect(q.run(job(4), never.signal)).rejects.toMatchObject({ status: 429, code: 'queue_full', headers: { 'retry-after': '1' } });
    expect([q.active, q.depth]).toEqual([1, 2]);
    leave.abort(new Error('gone'));
    await expect(b).rejects.toThrow('gone');
    expect(q.depth).toBe(1);
    const idle = q.idle();
    gates.shift()!();
    await a;
    await new Promise((r) => setTimeout(r, 0));
    gates.shift()!();
    await c;
    await idle;
    expect(order).toEqual([1, 3]);
    expect([q.active, q.depth]).toEqual([0, 0]);
  });
});

describe('behaviour under load (golden model)', () => {
  it('answers 429 with Retry-After when the queue is full, and serves the accepted requests', async () => {
    const { url } = await golden.start({ concurrency: 1, maxQueue: 1 });
    const send = () => fetch(`${url}/v1/images/generations`, { method: 'POST', headers: json, body: JSON.stringify({ prompt: 'x', steps: 20, seed: 1 }) });
    const responses = await Promise.all([send(), send(), send(), send()]);
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429]);
    for (const r of responses.filter((x) => x.status === 429)) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await r.json()).error).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
    }
    expect(await metric(url, 'maskgen_rejected_total{reason="queue_full"}')).toBe(2);
  }, 120_000);

  it('runs two generations at once with concurrency 2; with no waiting room the third is refused', async () => {
    const { url } = await golden.start({ concurrency: 2, maxQueue: 0, maxSteps: 1000 });
    const send = () => fetch(`${url}/v1/images/generations`, { method: 'POST', headers: json, body: JSON.stringify({ prompt: 'x', steps: 300, seed: 1 }) });
    const sent = [send(), send(), send()];
    // Both accepted generations hold a slot at the same time (seconds of work each).
    await until(async () => (await metric(url, 'maskgen_jobs_running')) === 2);
    const responses = await Promise.all(sent);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const busy = responses.find((r) => r.status === 429)!;
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await busy.json()).error.code).toBe('queue_full');
    expect(await metric(url, 'maskgen_images_generated_total')).toBe(2);
    expect(await metric(url, 'maskgen_rejected_total{reason="queue_full"}')).toBe(1);
  }, 120_000);

  it('a client that disconnects cancels its generation and frees its slot (running or waiting)', async () => {
    const { url } = await golden.start({ concurrency: 1, maxQueue: 1, maxSteps: 1000 });
    const running = new AbortController();
    const res = await fetch(`${url}/v1/images/generations`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ prompt: 'long', steps: 1000, stream: true }),
      signal: running.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!/maskgen\.progress/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    // A second request waits behind it, then leaves too.
    const waiting = new AbortController();
    const queued = fetch(`${url}/v1/images/generations`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ prompt: 'queued', steps: 1000 }),
      signal: waiting.signal,
    }).catch(() => 'aborted');
    await until(async () => (await metric(url, 'maskgen_queue_depth')) === 1);
    waiting.abort();
    expect(await queued).toBe('aborted');
    await until(async () => (await metric(url, 'maskgen_queue_depth')) === 0);
    running.abort();
    await until(async () => (await metric(url, 'maskgen_jobs_running')) === 0);
    expect(await metric(url, 'maskgen_generation_failures_total{reason="client"}')).toBe(2);
    expect(await metric(url, 'maskgen_images_generated_total')).toBe(0);
    // The freed slot serves the next request straight away (a full queue would answer 429).
    const next = await fetch(`${url}/v1/images/generations`, { method: 'POST', headers: json, body: JSON.stringify({ prompt: 'next', steps: 2 }) });
    expect(next.status).toBe(200);
  }, 120_000);

  it("cancels a generation past the per-request timeout and answers 504 in OpenAI's shape", async () => {
    const { url } = await golden.start({ timeoutMs: 300, maxSteps: 1000 });
    const res = await fetch(`${url}/v1/images/generations`, { method: 'POST', headers: json, body: JSON.stringify({ prompt: 'slow', steps: 1000 }) });
    expect(res.status).toBe(504);
    expect((await res.json()).error).toMatchObject({ type: 'timeout_error', code: 'timeout' });
    expect(await metric(url, 'maskgen_generation_failures_total{reason="timeout"}')).toBe(1);
    expect(await metric(url, 'maskgen_jobs_running')).toBe(0);
  }, 120_000);

  it('a streamed request past its timeout ends with an error event (code timeout), then [DONE]', async () => {
    const { url } = await golden.start({ timeoutMs: 1000, maxSteps: 1000 });
    const res = await fetch(`${url}/v1/images/generations`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ prompt: 'slow', steps: 1000, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = (await res.text()).split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const error = frames.at(-2)!;
    expect(error).toMatch(/^event: error\ndata: /);
    expect(JSON.parse(error.slice(error.indexOf('data: ') + 6)).error).toMatchObject({ type: 'timeout_error', code: 'timeout' });
    expect(frames.some((f) => f.startsWith('event: maskgen.progress'))).toBe(true);
    expect(frames.some((f) => f.startsWith('event: image_generation.completed'))).toBe(false);
    expect(await metric(url, 'maskgen_generation_failures_total{reason="timeout"}')).toBe(1);
    expect(await metric(url, 'maskgen_jobs_running')).toBe(0);
  }, 120_000);

  it('drain: no new work, and what outlives the drain timeout is cancelled with 503', async () => {
    const { server, url } = await golden.start({ maxSteps: 1000 });
    const long = fetch(`${url}/v1/images/generations`, { method: 'POST', headers: json, body: JSON.stringify({ prompt: 'endless', steps: 1000 }) });
    await until(async () => (await metric(url, 'maskgen_jobs_running')) === 1);
    const drained = server.drain({ timeoutMs: 500 });
    // The listener is closed: a new client is refused (or, on a still-open connection, answered 503).
    const late = await fetch(`${url}/v1/images/generations`, { method: 'POST', headers: json, body: JSON.stringify({ prompt: 'late' }) }).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    const res = await long;
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe('shutting_down');
    await drained;
  }, 120_000);
});

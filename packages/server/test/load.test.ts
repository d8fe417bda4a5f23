import autocannon from 'autocannon';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { useGoldenServers } from './golden-server.js';

const golden = useGoldenServers();

interface Phase {
  connections: number;
  sent: number;
  ok: number;
  busy: number;
  busyWithoutRetryAfter: number;
  serverErrors: number;
  errors: number;
  p50: number;
  p99: number;
}

/** A bounded autocannon run (request count and a time cap) against 127.0.0.1, tallying statuses and headers. */
async function load(url: string, connections: number, amount: number, body: object): Promise<Phase> {
  let busyWithoutRetryAfter = 0;
  const r = await autocannon({
    url: `${url}/v1/images/generations`,
    connections,
    amount,
    timeout: 60,
    maxOverallRequests: amount,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        onResponse: (status, _body, _ctx, headers) => {
          if (status === 429 && !(Number(headers?.['retry-after']) >= 1)) busyWithoutRetryAfter++;
        },
      },
    ],
  });
  const stats = (r.statusCodeStats ?? {}) as Record<string, { count: number }>;
  const count = (s: number) => stats[s]?.count ?? 0;
  return {
    connections,
    sent: Object.values(stats).reduce((n, v) => n + v.count, 0),
    ok: count(200),
    busy: count(429),
    busyWithoutRetryAfter,
    serverErrors: (r as unknown as { '5xx': number })['5xx'],
    errors: r.errors + r.timeouts,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name.replace(/[{}"+]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('load (autocannon, bounded, 127.0.0.1): behaviours, not timings', () => {
  it('holds requests at concurrency 1/8/64 with the queue full: no 5xx, 429 + Retry-After beyond the bound', async () => {
    // Default bounds: 1 generation at a time, 8 waiting.
    const { url } = await golden.start();
    const phases: Phase[] = [];
    const amounts = [20, 60, 200];
    for (const [connections, amount] of [
      [1, amounts[0]],
      [8, amounts[1]],
      [64, amounts[2]],
    ] as const)
      phases.push(await load(url, connections, amount, { prompt: 'a load test', steps: 2, seed: 1 }));
    console.table(phases);
    for (const p of phases) {
      expect(p.serverErrors, `5xx at ${p.connections} connections`).toBe(0);
      expect(p.errors, `socket errors at ${p.connections}`).toBe(0);
      expect(p.ok + p.busy).toBe(p.sent);
      expect(p.sent).toBe(amounts[phases.indexOf(p)]);
      expect(p.busyWithoutRetryAfter).toBe(0);
    }
    // 1 and 8 clients fit in 1 running + 8 waiting: everyone is served; 64 overflow the queue and get 429s.
    expect(phases[0].busy + phases[1].busy).toBe(0);
    expect(phases[2].busy).toBeGreaterThan(0);
    expect(phases[2].ok).toBeGreaterThan(0);
  }, 300_000);

  it('keeps memory flat over 500 requests: nothing is retained per request between request 100 and 500', async () => {
    const { url } = await golden.start({ concurrency: 1, maxQueue: 8 });
    // V8's collector without starting Node with --expose-gc, so the heap figures count only what is still reachable.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return { js: m.heapUsed + m.external, rss: m.rss };
    };
    const body = { prompt: 'a memory test', steps: 1, response_format: 'b64_json' };
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const first = await load(url, 4, 100, body);
    const at100 = live();
    const rest = await load(url, 4, 400, body);
    const at500 = live();
    clearInterval(sampler);
    const mib = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(
      `500 requests: ${first.ok + rest.ok} ok, p50 ${rest.p50} ms, p99 ${rest.p99} ms; after request 100 → 500: ` +
        `JS heap + external ${mib(at100.js)} → ${mib(at500.js)} MiB, RSS ${mib(at100.rss)} → ${mib(at500.rss)} MiB (peak ${mib(peak)} MiB)`,
    );
    expect(first.ok + rest.ok).toBe(500);
    expect(first.serverErrors + rest.serverErrors).toBe(0);
    // Live JS memory after a full GC does not grow (one run: -0.8 MiB). Keeping each request's result alive (a 32×32
    // image, its tokens, its PNG) grew it by 4.6 MiB over these 400 requests, keeping only the PNGs by 2.3 MiB.
    expect(at500.js - at100.js).toBeLessThan(2 ** 20);
    // RSS moves with the allocator (+7.5 MiB in a clean run), so this bound only catches a native leak of some 60 KiB a request.
    expect(at500.rss - at100.rss).toBeLessThan(24 * 2 ** 20);
  }, 300_000);

  it('disconnecting clients free their slots: after a burst of timeouts the server is idle and serves at once', async () => {
    const { url } = await golden.start({ concurrency: 1, maxQueue: 8, maxSteps: 1000 });
    // Each request wants 1000 steps (10 s or more even on a fast machine); autocannon gives up after 1 s and drops the connection.
    const r = await autocannon({
      url: `${url}/v1/images/generations`,
      connections: 8,
      amount: 16,
      timeout: 1,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'abandoned', steps: 1000 }),
    });
    expect(r.timeouts).toBeGreaterThan(0);
    const end = Date.now() + 20_000;
    while ((await metric(url, 'maskgen_jobs_running')) + (await metric(url, 'maskgen_queue_depth')) > 0) {
      if (Date.now() > end) throw new Error('slots were not freed');
      await new Promise((res) => setTimeout(res, 25));
    }
    expect(await metric(url, 'maskgen_generation_failures_total{reason="client"}')).toBeGreaterThan(0);
    expect(await metric(url, 'maskgen_images_generated_total')).toBe(0);
    const t0 = performance.now();
    const next = await fetch(`${url}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'next', steps: 2 }),
    });
    expect(next.status).toBe(200);
    console.log(`after ${r.timeouts} abandoned requests the next one took ${(performance.now() - t0).toFixed(0)} ms`);
  }, 120_000);
});

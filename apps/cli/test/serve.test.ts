import { goldenRepos, startMockHub } from '@maskgen/mock-hub';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, GOLDEN } from './cli-harness.js';

const s = {} as { hub: Awaited<ReturnType<typeof startMockHub>>; env: NodeJS.ProcessEnv };
beforeAll(async () => {
  s.hub = await startMockHub({ repos: goldenRepos(GOLDEN) });
  s.env = {
    ...process.env,
    HF_ENDPOINT: s.hub.url,
    HF_HOME: join(mkdtempSync(join(tmpdir(), 'maskgen-serve-')), 'hf'),
    HF_HUB_OFFLINE: '',
    MASKGEN_API_TOKEN: '',
  };
});
afterAll(() => s.hub.close());

/** Spawns `maskgen serve --port 0 …` and resolves once it is ready, with its URL and a live stderr log. */
async function serve(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string; log: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env: { ...s.env, ...env } });
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += `[${new Date().toISOString().slice(14, 23)}] ${d.toString()}`;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m && /ready:/.test(err)) resolve(m[1]);
    });
    void exit.then((c) => reject(new Error(`serve exited ${c}: ${err}`)));
  });
  return { child, url, log: () => err, exit };
}

/** SIGTERMs a served CLI and expects a clean exit. */
async function stop(sv: { child: ChildProcess; exit: Promise<number | null> }): Promise<void> {
  sv.child.kill('SIGTERM');
  expect(await sv.exit).toBe(0);
}

/** A loopback address this machine can bind: ::1 where IPv6 is up, else 127.0.0.1 named explicitly. */
const LOOPBACK_HOST = Object.values(networkInterfaces())
  .flat()
  .some((i) => i?.internal && i.address === '::1')
  ? '::1'
  : '127.0.0.1';

const post = (url: string, body: object, token?: string) =>
  fetch(`${url}/v1/images/generations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('maskgen serve (the real CLI, spawned)', () => {
  it('listens on 127.0.0.1 by default and takes its token from MASKGEN_API_TOKEN', async () => {
    const sv = await serve([], { MASKGEN_API_TOKEN: 'env-secret' });
    try {
      expect(sv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${sv.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${sv.url}/readyz`)).status).toBe(200);
      const denied = await fetch(`${sv.url}/v1/models`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(`${sv.url}/v1/models`, { headers: { authorization: 'Bearer env-secret' } })).status).toBe(200);
      const r = await post(sv.url, { prompt: 'a fox', steps: 2, seed: 1 }, 'env-secret');
      expect(r.status).toBe(200);
      expect((await r.json()).data[0].b64_json.length).toBeGreaterThan(100);
    } finally {
      sv.child.kill('SIGTERM');
      expect(await sv.exit).toBe(0);
    }
  }, 120_000);

  it('listens on --host; without a token it warns, except on a loopback host', async () => {
    const other = await serve(['--host', '127.0.0.2']);
    try {
      expect(other.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      // No token: the API is open, and the operator was told so.
      expect((await fetch(`${other.url}/v1/models`)).status).toBe(200);
      expect(other.log()).toMatch(/warning: listening on 127\.0\.0\.2 without --token: anyone who reaches this port can generate images/);
      // Bound to that address only: the same port on 127.0.0.1 has no listener.
      const port = new URL(other.url).port;
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      await stop(other);
    }
    const local = await serve(['--host', LOOPBACK_HOST]);
    try {
      expect(local.url).toBe(`http://${LOOPBACK_HOST.includes(':') ? `[${LOOPBACK_HOST}]` : LOOPBACK_HOST}:${new URL(local.url).port}`);
      expect((await fetch(`${local.url}/healthz`)).status).toBe(200);
      expect(local.log()).not.toMatch(/warning/);
    } finally {
      await stop(local);
    }
    const guarded = await serve(['--host', '127.0.0.2', '--token', 'host-secret']);
    try {
      expect(guarded.log()).toMatch(/listening on http:\/\/127\.0\.0\.2:\d+ \(bearer token required\)/);
      expect(guarded.log()).not.toMatch(/warning/);
      expect((await fetch(`${guarded.url}/v1/models`)).status).toBe(401);
    } finally {
      await stop(guarded);
    }
  }, 180_000);

  it('--cors answers only the listed origins; no --cors sends no CORS header', async () => {
    const sv = await serve(['--cors', 'https://app.example, https://two.example']);
    const plain = await serve([]);
    try {
      const allow = async (url: string, origin: string) => (await fetch(`${url}/healthz`, { headers: { origin } })).headers.get('access-control-allow-origin');
      expect(await allow(sv.url, 'https://app.example')).toBe('https://app.example');
      expect(await allow(sv.url, 'https://two.example')).toBe('https://two.example');
      expect(await allow(sv.url, 'https://evil.example')).toBeNull();
      expect(await allow(plain.url, 'https://app.example')).toBeNull();
      const pre = await fetch(`${sv.url}/v1/images/generations`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    } finally {
      await Promise.all([stop(sv), stop(plain)]);
    }
  }, 180_000);

  it('drains on SIGTERM: refuses new work, finishes the running and the queued request, then exits 0', async () => {
    const sv = await serve(['--token', 'cli-secret', '--concurrency', '1', '--max-steps', '1000']);
    // A long streamed generation (seconds even on a fast machine), and one more waiting behind it.
    const running = await post(sv.url, { prompt: 'a long one', steps: 300, seed: 2, stream: true }, 'cli-secret');
    expect(running.status).toBe(200);
    const reader = running.body!.getReader();
    let text = '';
    while (!/maskgen\.progress/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const queued = post(sv.url, { prompt: 'queued', steps: 2, seed: 3 }, 'cli-secret');
    // Work is in flight when the signal comes: one generating, one waiting.
    for (;;) {
      const m = await (await fetch(`${sv.url}/metrics`, { headers: { authorization: 'Bearer cli-secret' } })).text();
      if (/^maskgen_queue_depth 1$/m.test(m)) {
        expect(m).toMatch(/^maskgen_jobs_running 1$/m);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    sv.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // The listener is closed: a new client cannot start work.
    const late = await post(sv.url, { prompt: 'late', steps: 2 }, 'cli-secret').then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toMatch(/event: image_generation\.completed/);
    expect(text.match(/event: maskgen\.progress/g)).toHaveLength(300);
    const q = await queued;
    expect(q.status).toBe(200);
    expect((await q.json()).data).toHaveLength(1);
    expect(await sv.exit).toBe(0);
    expect(sv.log()).toMatch(/draining/);
    expect(sv.log()).toMatch(/stopped/);
  }, 180_000);

  it('is listed in help and documents its security flags', { timeout: 60_000 }, async () => {
    const run = (args: string[]) =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env: s.env });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', () => resolve(out));
      });
    expect(await run(['help'])).toMatch(/^ {2}serve +serve an OpenAI-compatible image API/m);
    const help = await run(['serve', '--help']);
    for (const flag of ['--token', '--host', '--port', '--max-queue', '--timeout', '--max-body', '--max-prompt', '--cors', '--drain-timeout'])
      expect(help).toContain(flag);
  });

  it.each([
    [['--port', '70000'], /--port must be an integer ≤ 65535, got 70000/],
    [['--cors', ','], /--cors: expected origins like https:\/\/app\.example, or \*/],
    [['--cors', ' '], /--cors: expected origins like https:\/\/app\.example, or \*/],
  ])('refuses bad flags with a usage error: %j', { timeout: 60_000 }, async (args, message) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: s.env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});

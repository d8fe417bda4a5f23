import { type FileHandle, type ModelSource, isMaskgenError } from '@maskgen/core';
import { CONFORMANCE_REPO, conformanceFiles } from './fixture.js';

/** A request the mock hub saw (the fields the suite asserts on). */
export interface SeenRequest {
  method: string;
  path: string;
  cdn: boolean;
  file?: string;
  range?: string;
  authorization?: string;
}

/** A fault to inject (the mock hub's FaultRule, with plain strings so it crosses into a browser page). */
export interface InjectedFault {
  fault: { kind: string; [k: string]: unknown };
  method?: 'HEAD' | 'GET';
  file?: string;
  /** Only requests to the CDN (after the LFS redirect). */
  cdnOnly?: boolean;
  times?: number;
}

/** Control of the mock hub, from Node directly or from a page through exposed functions. */
export interface HubControl {
  readonly url: string;
  commitOf(repoId: string): Promise<string>;
  setFault(rule: InjectedFault): Promise<void>;
  clearFaults(): Promise<void>;
  /** Requests since the last reset. */
  requests(): Promise<SeenRequest[]>;
  resetRequests(): Promise<void>;
}

/** Options a subject's sources are made with. */
export interface MakeOptions {
  offline?: boolean;
  token?: string;
  revision?: string;
}

/**
 * One kind of model source under test. Sources made by one subject share its storage (as two runs
 * share a disk cache or a page's Cache Storage); `reset` empties it. Hub subjects must use short
 * retry delays (≤ 20 ms) and a stall timeout of about 300 ms.
 */
export interface SourceUnderTest {
  readonly name: string;
  /** 'hub': talks to the mock hub; 'local': serves conformanceFiles() itself (folder, memory). */
  readonly kind: 'hub' | 'local';
  /**
   * True when the source sees the hub's own headers on an LFS redirect (Node follows redirects itself);
   * browsers follow them natively and see only the CDN's answer.
   */
  readonly seesRedirects?: boolean;
  make(repoId: string, o?: MakeOptions): ModelSource;
  reset(): Promise<void>;
}

/** One case of the suite; runners (vitest in Node, a page in Chromium) call `run` and report. */
export interface ConformanceCase {
  readonly name: string;
  readonly hubOnly: boolean;
  run(s: SourceUnderTest, hub: HubControl | undefined): Promise<void>;
}

function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);

async function readAll(h: FileHandle): Promise<Uint8Array> {
  return h.read(0, h.size);
}

async function rejectsWith(p: Promise<unknown>, codes: string[], what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    check(
      isMaskgenError(e) && codes.includes(e.code),
      `${what}: expected a MaskgenError ${codes.join('/')}, got ${(e as Error)?.name} ${(e as { code?: string }).code}: ${(e as Error)?.message}`,
    );
    return;
  }
  throw new Error(`${what}: expected a rejection with ${codes.join('/')}, but it succeeded`);
}

async function expectFile(src: ModelSource, file: string, what = file): Promise<void> {
  const want = conformanceFiles()[file];
  const got = await readAll(await src.open(file));
  check(equalBytes(got, want), `${what}: ${got.byteLength} bytes read differ from the ${want.byteLength} expected`);
}

const MODEL = 'model.safetensors';
const hubCases: [string, (s: SourceUnderTest, hub: HubControl) => Promise<void>][] = [];
const anyCases: [string, (s: SourceUnderTest) => Promise<void>][] = [];

anyCases.push([
  'opens and reads every file, whole and by range',
  async (s) => {
    const src = s.make(CONFORMANCE_REPO);
    for (const file of Object.keys(conformanceFiles())) await expectFile(src, file);
    const want = conformanceFiles()[MODEL];
    const h = await src.open(MODEL, { access: 'ranges' });
    check(h.size === want.byteLength, `range handle size ${h.size}, expected ${want.byteLength}`);
    for (const [a, n] of [
      [0, 8],
      [123_457, 10_000],
      [want.byteLength - 5, 5],
      [77, 0],
    ]) {
      check(equalBytes(await h.read(a, n), want.subarray(a, a + n)), `bytes ${a}+${n} differ`);
    }
    await rejectsWith(h.read(want.byteLength - 2, 5), ['INVALID_ARGUMENT'], 'a read past the end');
  },
]);

anyCases.push([
  'exists() answers without opening; missing files are NOT_FOUND',
  async (s) => {
    const src = s.make(CONFORMANCE_REPO);
    check(await src.exists('config.json'), 'config.json should exist');
    check(await src.exists('nested/dir/notes.txt'), 'nested/dir/notes.txt should exist');
    check(!(await src.exists('absent.json')), 'absent.json should not exist');
    await rejectsWith(src.open('absent.json'), ['NOT_FOUND'], 'opening a missing file');
  },
]);

anyCases.push([
  'hostile file names are refused before anything is touched',
  async (s) => {
    const src = s.make(CONFORMANCE_REPO);
    for (const bad of ['../escape', '/abs', 'a//b', 'a\\b', 'x/../../y', '']) {
      await rejectsWith(src.open(bad), ['INVALID_ARGUMENT', 'NOT_FOUND'], `open(${JSON.stringify(bad)})`);
    }
  },
]);

anyCases.push([
  'concurrent opens of one file all get the same bytes',
  async (s) => {
    await s.reset();
    const src = s.make(CONFORMANCE_REPO);
    const handles = await Promise.all(Array.from({ length: 6 }, () => src.open(MODEL)));
    for (const h of handles) check(equalBytes(await readAll(h), conformanceFiles()[MODEL]), 'a concurrent open read other bytes');
  },
]);

hubCases.push([
  'concurrent opens of one file download it once',
  async (s, hub) => {
    await s.reset();
    await hub.resetRequests();
    const src = s.make(CONFORMANCE_REPO);
    await Promise.all(Array.from({ length: 6 }, () => src.open(MODEL)));
    const gets = (await hub.requests()).filter((r) => r.method === 'GET' && r.file === MODEL && !r.cdn);
    check(gets.length === 1, `${gets.length} GETs of ${MODEL} for 6 concurrent opens, expected 1`);
  },
]);

hubCases.push([
  'hub error codes become typed errors',
  async (s, hub) => {
    await s.reset();
    await rejectsWith(s.make('conformance/no-such-repo').open('config.json'), ['NOT_FOUND'], 'RepoNotFound');
    await rejectsWith(s.make(CONFORMANCE_REPO, { revision: 'no-such-branch' }).open('config.json'), ['NOT_FOUND'], 'RevisionNotFound');
    await rejectsWith(s.make(CONFORMANCE_REPO).open('absent.json'), ['NOT_FOUND'], 'EntryNotFound');
    for (const [status, errorCode] of [
      [401, undefined],
      [403, undefined],
      [403, 'GatedRepo'],
      [401, 'GatedRepo'],
    ] as const) {
      await s.reset();
      await hub.setFault({ fault: { kind: 'status', status, errorCode }, file: 'config.json', times: 99 });
      await rejectsWith(s.make(CONFORMANCE_REPO).open('config.json'), ['UNAUTHORIZED'], `HTTP ${status} ${errorCode ?? ''}`);
      await hub.clearFaults();
    }
    await s.reset();
    await hub.setFault({ fault: { kind: 'status', status: 500 }, file: 'config.json', times: 99 });
    await rejectsWith(s.make(CONFORMANCE_REPO).open('config.json'), ['NETWORK'], 'a hub answering 500 every time');
    await hub.clearFaults();
  },
]);

hubCases.push([
  'retries 5xx and 429 (honouring Retry-After) and then succeeds',
  async (s, hub) => {
    await s.reset();
    await hub.setFault({ fault: { kind: 'status', status: 503 }, file: 'config.json' });
    await hub.setFault({ fault: { kind: 'status', status: 502 }, file: MODEL, method: 'GET' });
    const src = s.make(CONFORMANCE_REPO);
    await expectFile(src, 'config.json', 'after a 503');
    await expectFile(src, MODEL, 'after a 502');
    await s.reset();
    await hub.setFault({ fault: { kind: 'status', status: 429, retryAfter: 1 }, file: 'config.json' });
    const t0 = Date.now();
    await expectFile(s.make(CONFORMANCE_REPO), 'config.json', 'after a 429');
    check(Date.now() - t0 >= 900, `retried a 429 with Retry-After: 1 after ${Date.now() - t0} ms`);
  },
]);

/** Every fault the mock hub injects: the result is the right bytes or a typed error, and never a corrupt cache. */
const FAULTS: [string, InjectedFault, 'recovers' | 'either'][] = [
  ['a dropped connection', { fault: { kind: 'drop', afterBytes: 50_000 }, method: 'GET', file: MODEL }, 'recovers'],
  ['a stalled body', { fault: { kind: 'stall', afterBytes: 20_000 }, method: 'GET', file: MODEL }, 'recovers'],
  ['a slow body', { fault: { kind: 'slow', bytesPerSecond: 2_000_000 }, method: 'GET', file: MODEL }, 'recovers'],
  ['slow headers', { fault: { kind: 'slow', delayMs: 100 }, method: 'GET', file: MODEL }, 'recovers'],
  ['a short body', { fault: { kind: 'wrong-length', delta: 10 }, method: 'GET', file: MODEL }, 'either'],
  ['a long body', { fault: { kind: 'wrong-length', delta: -10 }, method: 'GET', file: 'config.json' }, 'either'],
  ['a corrupted body', { fault: { kind: 'corrupt' }, method: 'GET', file: 'config.json' }, 'either'],
  ['a server ignoring Range', { fault: { kind: 'ignore-range' }, method: 'GET', file: MODEL, times: 99 }, 'either'],
  ['a file changed between requests', { fault: { kind: 'etag-change' }, method: 'GET', file: MODEL }, 'either'],
];
/** The file as the mock hub serves it after an `etag-change` fault: a pushed new version. */
function changedVersion(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength + 1);
  out.set(bytes);
  out[bytes.byteLength] = 0x0a;
  return out;
}

for (const [what, rule, expect] of FAULTS) {
  hubCases.push([
    `fault: ${what} leaves no corrupt file behind`,
    async (s, hub) => {
      await s.reset();
      await hub.setFault(rule);
      const file = rule.file!;
      const want = conformanceFiles()[file];
      // Without the hub's headers behind a cross-origin redirect, a pushed version cannot be told from the
      // announced one: it must then be served whole and consistent (all new bytes), never a mix.
      const allowed = rule.fault.kind === 'etag-change' && !s.seesRedirects ? [want, changedVersion(want)] : [want];
      const src = s.make(CONFORMANCE_REPO);
      let got: Uint8Array | undefined;
      let failure: unknown;
      try {
        const h = await src.open(file, rule.fault.kind === 'ignore-range' ? { access: 'ranges' } : {});
        got = await h.read(0, h.size);
      } catch (e) {
        failure = e;
      }
      if (got)
        check(
          allowed.some((a) => equalBytes(got, a)),
          `${what}: the source returned wrong bytes instead of failing`,
        );
      else {
        check(expect === 'either', `${what}: should have been recovered from, failed with ${(failure as Error)?.message}`);
        check(isMaskgenError(failure) && ['DOWNLOAD_CORRUPT', 'NETWORK'].includes(failure.code), `${what}: untyped failure ${(failure as Error)?.message}`);
      }
      await hub.clearFaults();
      const again = await readAll(await s.make(CONFORMANCE_REPO).open(file));
      check(allowed.some((a) => equalBytes(again, a)) && (!got || equalBytes(again, got)), `${what}, then a clean open: the cache holds other bytes`);
    },
  ]);
}

hubCases.push([
  'an LFS body corrupted on the CDN with the right size is refused by sha256, and nothing is stored',
  async (s, hub) => {
    await s.reset();
    await hub.setFault({ fault: { kind: 'corrupt' }, method: 'GET', file: MODEL, cdnOnly: true, times: 99 });
    await rejectsWith(s.make(CONFORMANCE_REPO).open(MODEL), ['DOWNLOAD_CORRUPT'], 'a same-size corrupted LFS body');
    await hub.clearFaults();
    await rejectsWith(s.make(CONFORMANCE_REPO, { offline: true }).open(MODEL), ['OFFLINE'], 'offline open after the refused download (something was stored)');
    await expectFile(s.make(CONFORMANCE_REPO), MODEL, 'a clean download after the refused one');
  },
]);

hubCases.push([
  'the token goes to the hub, never to the CDN it redirects to',
  async (s, hub) => {
    await s.reset();
    await hub.resetRequests();
    await expectFile(s.make(CONFORMANCE_REPO, { token: 'hf_conformance_secret' }), MODEL);
    const seen = await hub.requests();
    check(
      seen.some((r) => !r.cdn && r.authorization === 'Bearer hf_conformance_secret'),
      'the hub never got the token',
    );
    check(
      seen.some((r) => r.cdn),
      'the LFS file was not redirected to the CDN',
    );
    check(
      seen.every((r) => !r.cdn || r.authorization === undefined),
      'the token was sent to the CDN',
    );
  },
]);

hubCases.push([
  'offline after online: every file the online run touched, range-read ones included, with no request',
  async (s, hub) => {
    await s.reset();
    const online = s.make(CONFORMANCE_REPO);
    await expectFile(online, 'config.json');
    await expectFile(online, 'nested/dir/notes.txt');
    const want = conformanceFiles()[MODEL];
    const ranged = await online.open(MODEL, { access: 'ranges' });
    check(equalBytes(await ranged.read(100_000, 5_000), want.subarray(100_000, 105_000)), 'online range read');
    check(!(await online.exists('absent.json')), 'online exists() of a missing file');
    await hub.resetRequests();
    const offline = s.make(CONFORMANCE_REPO, { offline: true });
    await expectFile(offline, 'config.json', 'offline config.json');
    await expectFile(offline, 'nested/dir/notes.txt', 'offline nested file');
    check(await offline.exists(MODEL), 'offline exists() of a range-read file');
    check(await offline.exists('config.json'), 'offline exists() of a whole file');
    check(!(await offline.exists('absent.json')), 'offline exists() of a file the online run found missing (loaders probe optional files)');
    const again = await offline.open(MODEL, { access: 'ranges' });
    check(equalBytes(await again.read(100_000, 5_000), want.subarray(100_000, 105_000)), 'offline range read');
    await rejectsWith(offline.open('absent.json'), ['OFFLINE', 'NOT_FOUND'], 'offline open of a file never fetched');
    const seen = await hub.requests();
    check(seen.length === 0, `offline made ${seen.length} requests: ${seen.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    await rejectsWith(s.make('conformance/never-seen', { offline: true }).open('config.json'), ['OFFLINE'], 'offline open of an uncached repo');
  },
]);

hubCases.push([
  'online again: cached files are not revalidated, a branch is resolved once',
  async (s, hub) => {
    await s.reset();
    await expectFile(s.make(CONFORMANCE_REPO), 'config.json');
    await hub.resetRequests();
    const second = s.make(CONFORMANCE_REPO);
    await expectFile(second, 'config.json', 'second run');
    check((await hub.requests()).length === 0, 'a cached file of a branch was revalidated');
    await expectFile(second, MODEL);
    await expectFile(s.make(CONFORMANCE_REPO), 'nested/dir/notes.txt');
    const byBranch = (await hub.requests()).filter((r) => r.path.includes('/resolve/main/'));
    check(byBranch.length === 0, `the branch was resolved again per file: ${byBranch.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    const commit = await hub.commitOf(CONFORMANCE_REPO);
    await expectFile(s.make(CONFORMANCE_REPO, { revision: commit }), MODEL, 'at the pinned commit');
    await hub.resetRequests();
    await expectFile(s.make(CONFORMANCE_REPO, { revision: commit }), MODEL, 'again at the pinned commit');
    check((await hub.requests()).length === 0, 'a file cached under a pinned commit was revalidated');
  },
]);

/** The cases of the suite, in order; `hubOnly` ones are skipped for local sources. */
export function sourceConformance(): ConformanceCase[] {
  return [
    ...anyCases.map(([name, run]) => ({ name, hubOnly: false, run: (s: SourceUnderTest) => run(s) })),
    ...hubCases.map(([name, run]) => ({
      name,
      hubOnly: true,
      run: async (s: SourceUnderTest, hub: HubControl | undefined) => {
        if (!hub) throw new Error(`${name}: needs the mock hub`);
        await hub.clearFaults();
        try {
          await run(s, hub);
        } finally {
          await hub.clearFaults();
        }
      },
    })),
  ];
}

import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultBook } from './faults.js';
import { type ServedFile, fakeCommit, findFile, findRepo, loadFile, servedCommit } from './repo-files.js';
import { serveRepoApi } from './repo-api.js';
import { changedVersion, sendError, serveBytes } from './serve-file.js';
import type { MockFault, MockHub, MockHubOptions, RecordedRequest } from './types.js';

/** Faults that make sense on a header-only answer (a redirect); body faults wait for the CDN request. */
const CORS_EXPOSED =
  'X-Repo-Commit, X-Error-Code, X-Error-Message, X-Linked-Etag, X-Linked-Size, ETag, Content-Range, Content-Length, Accept-Ranges, Retry-After';
const HEADER_FAULTS = new Set<MockFault['kind']>(['status', 'etag-change']);

/**
 * Starts a Hugging Face hub look-alike on 127.0.0.1 (random ports): `/{owner}/{name}/resolve/{rev}/{file}`
 * with HEAD/GET, Range, ETag/X-Linked-Etag/X-Linked-Size/X-Repo-Commit, LFS files redirected (302) to a
 * CDN on a second port (another origin, as on the real hub), the API's repo listing
 * (`/api/models/{owner}/{name}/revision/{rev}`) and injectable faults.
 */
export async function startMockHub(given: MockHubOptions = {}): Promise<MockHub> {
  // A copy of the repos, so moveBranch changes this server only.
  const options: MockHubOptions = { ...given, repos: { ...given.repos } };
  const requests: RecordedRequest[] = [];
  const faults = new FaultBook();
  for (const f of options.faults ?? []) faults.add(f);
  const stalled = new Set<ServerResponse>();
  const cdnObjects = new Map<string, { file: ServedFile; name: string; repo: string }>();
  const lfsThreshold = options.lfsThreshold ?? 10 * 1024 * 1024;
  let cdnUrl = '';

  async function hub(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest): Promise<number> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/');
    if (parts[1] === 'api' && parts[2] === 'models') return serveRepoApi(req, res, rec, options, faults, lfsThreshold);
    if (parts.length < 6 || parts[3] !== 'resolve' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return sendError(res, 404, undefined, `no route for ${req.method} ${url.pathname}`);
    }
    let owner: string, name: string, revision: string, file: string;
    try {
      [owner, name, revision] = [parts[1], parts[2], parts[4]].map(decodeURIComponent);
      file = parts.slice(5).map(decodeURIComponent).join('/');
    } catch {
      return sendError(res, 400, undefined, 'bad URL encoding');
    }
    rec.repo = `${owner}/${name}`;
    rec.file = file;
    const fault = faults.take(req.method, url.pathname, file);
    if (fault?.kind === 'status') return sendError(res, fault.status, fault.errorCode, `injected ${fault.status}`, {}, fault.retryAfter);
    if (options.requireToken && req.headers.authorization !== `Bearer ${options.requireToken}`) {
      return sendError(res, 401, 'GatedRepo', 'Access to this repo requires a token', {});
    }
    const repo = await findRepo(options, rec.repo);
    if (!repo) return sendError(res, 401, 'RepoNotFound', `Repository ${rec.repo} not found`);
    const commit = servedCommit(repo, revision);
    if (!commit) return sendError(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    const commitHeader = { 'X-Repo-Commit': commit };
    const path = await findFile(repo, file);
    if (!path) return sendError(res, 404, 'EntryNotFound', `${file} does not exist on "${revision}"`, commitHeader);
    let served = await loadFile(path, file, lfsThreshold);
    if (fault?.kind === 'etag-change') served = changedVersion(served);
    if (served.lfs && options.redirectLfs !== false) {
      cdnObjects.set(served.sha256, { file: served, name: file, repo: repo.id });
      res.statusCode = 302;
      res.setHeader('Location', `${cdnUrl}/cdn/${served.sha256}`);
      res.setHeader('X-Repo-Commit', commit);
      res.setHeader('X-Linked-Etag', `"${served.sha256}"`);
      res.setHeader('X-Linked-Size', String(served.bytes.byteLength));
      res.setHeader('ETag', `"${createHash('sha1').update(served.sha256).digest('hex')}"`);
      res.setHeader('Content-Length', '0');
      res.end();
      return 302;
    }
    const etag = served.lfs ? served.sha256 : served.gitSha1;
    return serveBytes(req, res, { ...commitHeader, ETag: `"${etag}"` }, served.bytes, HEADER_FAULTS.has(fault?.kind as never) ? undefined : fault, stalled);
  }

  async function cdn(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest): Promise<number> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    const obj = m ? cdnObjects.get(m[1]) : undefined;
    if (!obj) return sendError(res, 403, undefined, 'AccessDenied');
    rec.file = obj.name;
    rec.repo = obj.repo;
    const fault = faults.take(req.method ?? 'GET', url.pathname, obj.name);
    if (fault?.kind === 'status') return sendError(res, fault.status, fault.errorCode, `injected ${fault.status}`, {}, fault.retryAfter);
    const served = fault?.kind === 'etag-change' ? changedVersion(obj.file) : obj.file;
    const s3Etag = createHash('md5').update(served.bytes).digest('hex');
    return serveBytes(req, res, { ETag: `"${s3Etag}"` }, served.bytes, fault?.kind === 'etag-change' ? undefined : fault, stalled);
  }

  function handler(kind: 'hub' | 'cdn') {
    return (req: IncomingMessage, res: ServerResponse) => {
      // CORS as the real hub and CDN answer it, so pages on other origins (browser sources) can read files and headers.
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED);
      if (req.method === 'OPTIONS') {
        res
          .writeHead(204, {
            'Access-Control-Allow-Methods': 'GET, HEAD',
            'Access-Control-Allow-Headers': 'Authorization, Range, Accept-Encoding',
            'Access-Control-Max-Age': '600',
          })
          .end();
        return;
      }
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status: 0,
        cdn: kind === 'cdn',
        ...(req.headers.range ? { range: req.headers.range } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      };
      requests.push(rec);
      (kind === 'hub' ? hub : cdn)(req, res, rec).then(
        (status) => (rec.status = status),
        (e: unknown) => {
          rec.status = 500;
          if (!res.headersSent) sendError(res, 500, undefined, String(e));
          else res.destroy();
        },
      );
    };
  }

  const hubServer = createServer(handler('hub'));
  const cdnServer = createServer(handler('cdn'));
  const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
  const [hubPort, cdnPort] = await Promise.all([listen(hubServer), listen(cdnServer)]);
  cdnUrl = `http://127.0.0.1:${cdnPort}`;

  return {
    url: `http://127.0.0.1:${hubPort}`,
    requests,
    setFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    commitOf: (repoId) => options.repos?.[repoId]?.commit ?? fakeCommit(repoId),
    moveBranch(repoId, commit) {
      const repo = options.repos?.[repoId];
      if (!repo) throw new Error(`moveBranch: ${repoId} is not one of the repos given to startMockHub`);
      const old = repo.commit ?? fakeCommit(repoId);
      options.repos![repoId] = { ...repo, commit, formerCommits: [...(repo.formerCommits ?? []), old] };
    },
    async close() {
      for (const r of stalled) r.destroy();
      stalled.clear();
      const stop = (s: Server) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        });
      await Promise.all([stop(hubServer), stop(cdnServer)]);
    },
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { FaultBook } from './faults.js';
import { type ServedRepo, findFile, findRepo, loadFile, servedCommit } from './repo-files.js';
import { sendError } from './serve-file.js';
import type { MockHubOptions, RecordedRequest } from './types.js';

async function repoFiles(repo: ServedRepo): Promise<string[]> {
  if (repo.files) return Object.keys(repo.files);
  const entries = await readdir(repo.dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(repo.dir, join(e.parentPath, e.name)).split('\\').join('/'));
}

/**
 * `GET /api/models/{owner}/{name}/revision/{rev}?blobs=true`, as the hub answers it: the commit (`sha`)
 * and every file with its size, git blob id and, for LFS files, `lfs.sha256` — what browsers use to
 * verify LFS downloads they only see through the CDN's headers. Status faults apply (path `/api/…`).
 */
export async function serveRepoApi(
  req: IncomingMessage,
  res: ServerResponse,
  rec: RecordedRequest,
  options: MockHubOptions,
  faults: FaultBook,
  lfsThreshold: number,
): Promise<number> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const parts = url.pathname.split('/');
  if (parts.length !== 7 || parts[5] !== 'revision' || req.method !== 'GET')
    return sendError(res, 404, undefined, `no route for ${req.method} ${url.pathname}`);
  const [owner, name, revision] = [parts[3], parts[4], parts[6]].map(decodeURIComponent);
  rec.repo = `${owner}/${name}`;
  const fault = faults.take(req.method, url.pathname, undefined);
  if (fault?.kind === 'status') return sendError(res, fault.status, fault.errorCode, `injected ${fault.status}`, {}, fault.retryAfter);
  if (options.requireToken && req.headers.authorization !== `Bearer ${options.requireToken}`)
    return sendError(res, 401, 'GatedRepo', 'Access to this repo requires a token');
  const repo = await findRepo(options, rec.repo);
  if (!repo) return sendError(res, 401, 'RepoNotFound', `Repository ${rec.repo} not found`);
  const commit = servedCommit(repo, revision);
  if (!commit) return sendError(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
  const siblings = [];
  for (const file of (await repoFiles(repo)).sort()) {
    const path = await findFile(repo, file);
    if (!path) continue;
    const f = await loadFile(path, file, lfsThreshold);
    siblings.push({
      rfilename: file,
      size: f.bytes.byteLength,
      blobId: f.gitSha1,
      ...(f.lfs ? { lfs: { sha256: f.sha256, size: f.bytes.byteLength, pointerSize: 134 } } : {}),
    });
  }
  const body = JSON.stringify({ id: repo.id, sha: commit, siblings });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), 'X-Repo-Commit': commit });
  res.end(body);
  return 200;
}

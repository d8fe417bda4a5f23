import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** `<etag>.<pid>-<random>.incomplete`: a download in progress (or one whose process was killed). */
const TEMP = /^(.+)\.(\d+)-[a-z0-9]+\.incomplete$/;

/** Whether a process id is running on this machine (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Adopts or removes the temp files of downloads whose process is gone (kill -9, power loss): each
 * becomes the parked `<etag>.incomplete` that the next download of that blob resumes (the bytes are
 * verified with the rest), unless a parked file already exists, then it is removed. Files of live
 * processes are left alone. Returns what it did, for tests and logs.
 */
export async function reclaimStalePartials(blobsDir: string, alive: (pid: number) => boolean = pidAlive): Promise<{ resumed: string[]; removed: string[] }> {
  const done = { resumed: [] as string[], removed: [] as string[] };
  for (const name of await readdir(blobsDir).catch(() => [] as string[])) {
    const m = TEMP.exec(name);
    if (!m || alive(Number(m[2]))) continue;
    const parked = join(blobsDir, `${m[1]}.incomplete`);
    const from = join(blobsDir, name);
    const parkedExists = await stat(parked).then(
      () => true,
      () => false,
    );
    if (
      !parkedExists &&
      (await rename(from, parked).then(
        () => true,
        () => false,
      ))
    )
      done.resumed.push(name);
    else if (
      await rm(from, { force: true }).then(
        () => true,
        () => false,
      )
    )
      done.removed.push(name);
  }
  return done;
}

/** Bytes of unfinished downloads (parked or in progress) in a blobs folder, for `cache ls`. */
export async function partialBytes(blobsDir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(blobsDir).catch(() => [] as string[])) {
    if (name.endsWith('.incomplete'))
      total += await stat(join(blobsDir, name)).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

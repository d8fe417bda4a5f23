import { readFileSync, readdirSync } from 'node:fs';

const read = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
};

/**
 * Peak resident memory (VmHWM, bytes) of the renderer processes of the Chromium whose profile is
 * `profile` (Linux /proc): the page's own high-water mark — JS heap, WASM memory, ORT's buffers —
 * which no page API reports whole. 0 where /proc is missing.
 */
export function rendererPeakBytes(profile: string): number {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  // Zygote-forked children rewrite their title: one space-separated string, so match on the whole text.
  const cmd = new Map(pids.map((p) => [p, read(`/proc/${p}/cmdline`).replace(/\0/g, ' ')]));
  const parent = new Map(pids.map((p) => [p, /^PPid:\s*(\d+)/m.exec(read(`/proc/${p}/status`))?.[1] ?? '']));
  const roots = new Set(pids.filter((p) => cmd.get(p)?.includes(`--user-data-dir=${profile} `) && !cmd.get(p)?.includes('--type=')));
  const under = (p: string): boolean => {
    for (let q = parent.get(p), n = 0; q && n < 16; q = parent.get(q), n++) if (roots.has(q)) return true;
    return false;
  };
  let peak = 0;
  for (const p of pids) {
    if (!cmd.get(p)?.includes('--type=renderer') || !under(p)) continue;
    const kb = /^VmHWM:\s*(\d+)/m.exec(read(`/proc/${p}/status`))?.[1];
    if (kb) peak = Math.max(peak, Number(kb) * 1024);
  }
  return peak;
}

/**
 * The repo every source under test serves: a small JSON file, a nested file and an LFS-sized
 * safetensors-like file, generated (no fixture files in git) so the same bytes exist on the mock hub,
 * in a folder and in memory.
 */
export const CONFORMANCE_REPO = 'conformance/model';

/** Deterministic bytes: different at every offset, so a shifted range read cannot pass. */
export function patternBytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = (x >>> 16) & 255;
  }
  return out;
}

/** File name → content of the conformance repo. */
export function conformanceFiles(): Record<string, Uint8Array> {
  return {
    'config.json': new TextEncoder().encode('{"model":{"name":"conformance"}}'),
    'nested/dir/notes.txt': new TextEncoder().encode('nested file\n'),
    'model.safetensors': patternBytes(300_000),
  };
}

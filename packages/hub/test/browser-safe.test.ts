import { build } from 'esbuild';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('browser bundles never see node:*', () => {
  it('only src/node/ imports node builtins, and nothing outside it imports src/node/', () => {
    for (const file of sources(SRC).filter((f) => !f.includes(`${join(SRC, 'node')}/`))) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/from ['"]node:/);
      expect(code, file).not.toMatch(/from ['"](\.\.?\/)+node\//);
    }
  });

  it('the root and ./testing entries bundle for the browser platform with no builtin left', async () => {
    for (const entry of ['index.ts', 'testing/index.ts']) {
      const out = await build({
        entryPoints: [join(SRC, entry)],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        logLevel: 'silent',
        metafile: true,
      });
      const inputs = Object.keys(out.metafile.inputs);
      expect(
        inputs.filter((i) => i.startsWith('node:') || i.includes('/src/node/')),
        entry,
      ).toEqual([]);
      expect(out.outputFiles[0].text).not.toMatch(/from ["']node:/);
    }
  });
});

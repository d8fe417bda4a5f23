import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const NEUTRAL = ['core', 'clip-text', 'tatitok', 'sampler', 'pipeline', 'image'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('platform-neutral packages', () => {
  for (const pkg of NEUTRAL) {
    it(`${pkg} never imports onnxruntime, node:* or DOM globals`, () => {
      for (const file of sources(join(ROOT, pkg, 'src'))) {
        // Code only: comments may mention browsers.
        const text = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, '');
        expect(text, file).not.toMatch(/from ['"](node:|onnxruntime|fs['"]|path['"])/);
        expect(text, file).not.toMatch(/\b(document|window|localStorage)\./);
      }
    });
  }
});

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN, useCliEnv } from './cli-harness.js';

const cli = useCliEnv();

/** tatitok_vq.bin (torch.save zip) with one float of a decoder weight set to +Inf, beside its YAML. */
function brokenTokenizer(): string {
  const bin = new Uint8Array(readFileSync(join(GOLDEN, 'checkpoint_formats/tatitok_vq.bin')));
  const golden = readFileSync(join(GOLDEN, 'tatitok_vq/weights.safetensors'));
  const header = JSON.parse(golden.subarray(8, 8 + Number(golden.readBigUInt64LE(0))).toString());
  const [begin] = header['decoder.transformer.0.mlp.c_fc.weight'].data_offsets as number[];
  const start = 8 + Number(golden.readBigUInt64LE(0)) + begin;
  const at = Buffer.from(bin.buffer).indexOf(golden.subarray(start, start + 256));
  expect(at).toBeGreaterThan(0);
  new DataView(bin.buffer).setFloat32(at + 4 * 10, Number.POSITIVE_INFINITY, true);
  writeFileSync(join(cli.work, 'broken_tok.bin'), bin);
  copyFileSync(join(GOLDEN, 'checkpoint_formats/tatitok_vq.yaml'), join(cli.work, 'broken_tok.yaml'));
  copyFileSync(join(GOLDEN, 'e2e_vq/image_0.png'), join(cli.work, 'in.png'));
  return join(cli.work, 'broken_tok.bin');
}

describe('maskgen with a checkpoint holding an Inf weight', () => {
  it('refuses it in one line naming the file, tensor and element; --allow-nonfinite warns and goes on', async () => {
    const tok = brokenTokenizer();
    const refused = await cli.run(['reconstruct', 'in.png', '--tokenizer', tok, '-o', 'out.png', '-q']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /broken_tok\.bin": tensor "decoder\.transformer\.0\.mlp\.c_fc\.weight" \(F32 \[192,48\]\) holds Infinity at element 10 \(index \[0, 10\]\).*--allow-nonfinite/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at |onnxruntime/);
    const allowed = await cli.run(['reconstruct', 'in.png', '--tokenizer', tok, '-o', 'out.png', '-q', '--allow-nonfinite']);
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/warning: .*holds Infinity at element 10 .*continuing because non-finite values are allowed/);
  }, 120_000);
});

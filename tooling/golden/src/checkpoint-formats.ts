import type { Runtime } from '@maskgen/core';
import { readConfig, resolveModel } from '@maskgen/pipeline';
import { folderSource } from '@maskgen/hub/node';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CaseContext } from './types.js';

/** A single-file checkpoint of `checkpoint_formats/`, run as the sibling case it was saved from. */
export interface FormatVariant {
  /** The sibling case folder (`<case>` for `<case>.bin` and `<case>_legacy.bin`). */
  dir: string;
  /** The `.bin` file. */
  file: string;
  /** How report lines name it: `checkpoint_formats/<file>`. */
  label: string;
}

/**
 * Finds `checkpoint_formats/*.bin` at `dir` (or `dir` itself when it is that folder) whose sibling
 * case exists: each is run with that case's calls, inputs and tolerances, its weights and config
 * loaded the way users load a single file (the `.bin` in either torch container, with its case's YAML).
 */
export async function discoverFormats(dir: string): Promise<FormatVariant[]> {
  const formats = basename(dir) === 'checkpoint_formats' ? dir : join(dir, 'checkpoint_formats');
  const names = await readdir(formats).catch(() => [] as string[]);
  const out: FormatVariant[] = [];
  for (const name of names.filter((n) => n.endsWith('.bin')).sort()) {
    const caseDir = join(formats, '..', name.slice(0, -4).replace(/_legacy$/, ''));
    if ((await stat(join(caseDir, 'case.json')).catch(() => undefined))?.isFile())
      out.push({ dir: caseDir, file: join(formats, name), label: `checkpoint_formats/${name}` });
  }
  return out;
}

/** The case's context with weights and config replaced by the single file's (resolved like `--model <file>`). */
export async function withCheckpointFile(ctx: CaseContext, v: FormatVariant, runtime: Runtime): Promise<CaseContext> {
  const source = folderSource(join(v.file, '..'));
  const name = basename(v.file);
  // `<case>.bin` finds `<case>.yaml` beside it; `<case>_legacy.bin` is given it, as `--config <case>.yaml` would.
  const yaml = `${basename(v.dir)}.yaml`;
  const explicit = (await source.exists(name.replace(/\.bin$/, '.yaml'))) ? undefined : await readConfig(source, yaml);
  const model = await resolveModel({ file: name, source, config: explicit }, { runtime, source: () => source });
  return { ...ctx, config: model.config as Record<string, any>, weights: await model.openWeights() };
}

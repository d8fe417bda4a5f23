import { MaskgenError, type ModelSource, type SafetensorsFile, type SourceOptions, openStateDict, quote } from '@maskgen/core';
import { CONFIG_EXTENSIONS, readConfig } from './config-file.js';
import { FILE_REPO, FILE_ZOO, fileZooEntry, stemOf } from './file-zoo.js';
import { openSource } from './sources.js';
import type { LoadOptions } from './types.js';
import { openWeights } from './weights.js';

/**
 * A model given as one checkpoint file (a `torch.save` `.bin`/`.pt` in either container, or a
 * `.safetensors`) rather than a repo folder, as the reference's `hf_hub_download(filename=…)` route has it.
 */
export interface ModelFile {
  /** The file's name inside `source` or `repo` (e.g. "maskgen_vq_xl.bin", "ckpt/tatitok.bin"). */
  file: string;
  /** Where the file lives (a local folder, a cache, a mirror). Without it, `repo` is opened like any repo id. */
  source?: ModelSource;
  /** A hub repo id holding the file (default: fun-research/TA-TiTok when no `source` is given). */
  repo?: string;
  revision?: string;
  /**
   * The model's config tree (what config.json or the reference's YAML parse to). Default: a
   * `.yaml`/`.yml`/`.json` of the same stem beside the file, else the built-in entry for the
   * reference's released files, else an error naming what to pass.
   */
  config?: unknown;
  /** A name for messages and image metadata (default: the repo or source id and the file). */
  id?: string;
}

/** A repo id (`owner/name`), a hub file (`owner/name:file.bin[@revision]`), or a ModelFile. */
export type ModelRef = string | ModelFile;

/** A model reference made concrete: where its files are, its config, and how to open its weights. */
export interface ResolvedModel {
  readonly id: string;
  readonly source: ModelSource;
  /** Set for single-file models: the checkpoint's name inside `source`. */
  readonly file?: string;
  readonly config: unknown;
  openWeights(opts?: SourceOptions): Promise<SafetensorsFile>;
}

const HUB_FILE = /^([^/:@\s]+\/[^/:@\s]+):([^:@]+)(?:@([^:@]+))?$/;

/** Parses `owner/name:file[@revision]`; undefined for plain repo ids. */
export function parseHubFile(ref: string): { repo: string; file: string; revision?: string } | undefined {
  // Only `owner/name:` starts a hub file; other ids with a colon (a caller's own stand-in ids, such as the
  // CLI's `local:<folder>`) are repo ids for the caller's source resolver to map.
  if (!/^[^:]*\/[^:]*:/.test(ref)) return undefined;
  const m = HUB_FILE.exec(ref);
  if (!m)
    throw new MaskgenError(
      'INVALID_ARGUMENT',
      `model ${quote(ref)}: expected a repo id "owner/name" or a hub file "owner/name:file.bin" (optionally "@revision")`,
    );
  return { repo: m[1], file: m[2], ...(m[3] ? { revision: m[3] } : {}) };
}

/** A short label for a reference (messages, PNG metadata). */
export function modelLabel(ref: ModelRef): string {
  if (typeof ref === 'string') return ref;
  return ref.id ?? `${ref.source?.id ?? ref.repo ?? FILE_REPO}:${ref.file}${ref.revision ? `@${ref.revision}` : ''}`;
}

/** The folder part of a repo-relative file name ("a/b.bin" → "a/"). */
const dirOf = (file: string) => file.slice(0, file.lastIndexOf('/') + 1);

/** Finds a single file's config: explicit, else same stem beside it, else the built-in zoo, else an error. */
async function fileConfig(source: ModelSource, file: string, id: string, explicit: unknown, opts: SourceOptions & { optional?: boolean }): Promise<unknown> {
  if (explicit !== undefined) return explicit;
  const stem = `${dirOf(file)}${stemOf(file.slice(dirOf(file).length))}`;
  for (const ext of CONFIG_EXTENSIONS) if (await source.exists(`${stem}${ext}`, opts)) return readConfig(source, `${stem}${ext}`, opts);
  const known = fileZooEntry(file);
  if (known) return structuredClone(known.config);
  if (opts.optional) return undefined;
  throw new MaskgenError(
    'INVALID_CONFIG',
    `${id}: no config for this checkpoint file; pass one (--config / --tokenizer-config, or { config } in the API), or put ${quote(`${stem}.yaml`)} (or .yml/.json) beside it; built-in configs exist for ${FILE_ZOO.map((e) => e.file).join(', ')}`,
  );
}

/**
 * Resolves a repo id, a `REPO:FILE[@rev]` hub file or a ModelFile to its source, config and weights.
 * Repos keep their layout (config.json, else config.yaml; model.safetensors or pytorch_model.bin);
 * `explicitConfig` (the caller's `config`) replaces whatever the files would give.
 */
export async function resolveModel(ref: ModelRef, opts: LoadOptions, explicitConfig?: unknown, o: { configOptional?: boolean } = {}): Promise<ResolvedModel> {
  const hub = typeof ref === 'string' ? parseHubFile(ref) : undefined;
  if (typeof ref === 'string' && !hub) {
    const source = openSource(ref, opts);
    const config = explicitConfig ?? (await repoConfig(source, opts, o.configOptional));
    return { id: ref, source, config, openWeights: (w = {}) => openWeights(source, { ...opts, ...w }) };
  }
  const spec: ModelFile = hub ?? (ref as ModelFile);
  if (!spec || typeof spec.file !== 'string' || spec.file === '')
    throw new MaskgenError('INVALID_ARGUMENT', `model: expected a repo id or { file }, got ${quote(ref)}`);
  const source = spec.source ?? openSource(spec.repo ?? FILE_REPO, opts, spec.revision);
  const id = typeof ref === 'string' ? ref : modelLabel(spec);
  const config = await fileConfig(source, spec.file, id, spec.config ?? explicitConfig, { ...opts, optional: o.configOptional });
  return {
    id,
    source,
    file: spec.file,
    config,
    openWeights: async (w = {}) =>
      openStateDict(await source.open(spec.file, { ...opts, ...w }), {
        signal: w.signal ?? opts.signal,
        allowNonFinite: opts.allowNonFinite,
        onWarning: opts.onWarning,
      }),
  };
}

/** A repo's config.json, else its config.yaml/.yml (the same tree); the source's own error when it has none. */
async function repoConfig(source: ModelSource, opts: SourceOptions, optional?: boolean): Promise<unknown> {
  try {
    return await readConfig(source, 'config.json', opts);
  } catch (e) {
    if ((e as MaskgenError).code !== 'NOT_FOUND') throw e;
    for (const name of ['config.yaml', 'config.yml']) if (await source.exists(name, opts).catch(() => false)) return readConfig(source, name, opts);
    if (optional) return undefined;
    throw e;
  }
}

/** `experiment.tokenizer_checkpoint` of a reference config, when it is a plain file name. */
function tokenizerCheckpoint(config: unknown): string | undefined {
  const exp = (config as { experiment?: { tokenizer_checkpoint?: unknown } } | undefined)?.experiment;
  const name = typeof exp === 'object' && exp !== null ? exp.tokenizer_checkpoint : undefined;
  return typeof name === 'string' && /^[^/\\:@]+$/.test(name) ? name : undefined;
}

/**
 * The tokenizer a single-file generator decodes with when none is named: its config's
 * `experiment.tokenizer_checkpoint` beside it (the reference's demo keeps both in one folder), else
 * the built-in pairing on the hub (`fun-research/TA-TiTok:tatitok_bl128_vq.bin` for VQ, bl32_vae for KL).
 * Undefined for repos and unknown files: the zoo and the config's token count decide (describeModel).
 */
export async function pairedTokenizer(model: ResolvedModel, opts: LoadOptions): Promise<ModelRef | undefined> {
  if (opts.tokenizer !== undefined) return opts.tokenizer;
  if (model.file === undefined) return undefined;
  const name = tokenizerCheckpoint(model.config);
  if (name) {
    const file = `${dirOf(model.file)}${name}`;
    const id = model.id.endsWith(model.file) ? `${model.id.slice(0, -model.file.length)}${file}` : `${model.source.id}:${file}`;
    if (await model.source.exists(file, opts).catch(() => false)) return { file, source: model.source, id };
  }
  const known = fileZooEntry(model.file);
  const builtIn = known?.kind === 'generator' ? tokenizerCheckpoint(known.config) : undefined;
  return builtIn ? `${FILE_REPO}:${builtIn}` : undefined;
}

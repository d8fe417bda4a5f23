import { MaskgenError, type ModelSource, type SourceOptions, quote, readText } from '@maskgen/core';
import { YAMLParseError, parse } from 'yaml';

/** Config file types, in the order they are looked for beside a single checkpoint file. */
export const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** True for file names read as YAML (the reference's `configs/infer/**.yaml`) rather than JSON. */
export function isYamlName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/**
 * Parses a model config from text: YAML (`.yaml`/`.yml`, read with YAML 1.1 rules as the reference's
 * OmegaConf/PyYAML loader does, so `False`/`True` are booleans) or JSON. Both give the same tree, which
 * every loader takes where it takes config.json. Tags are never resolved to code; aliases are capped.
 */
export function parseConfigText(text: string, name: string): Record<string, unknown> {
  let tree: unknown;
  try {
    tree = isYamlName(name) ? parse(text, { version: '1.1', uniqueKeys: true, maxAliasCount: 100 }) : JSON.parse(text);
  } catch (cause) {
    const why = cause instanceof YAMLParseError ? cause.message.split('\n')[0] : `not valid JSON (${quote(text, 40)})`;
    throw new MaskgenError('INVALID_CONFIG', `config ${quote(name)}: ${why}`, { cause });
  }
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    throw new MaskgenError('INVALID_CONFIG', `config ${quote(name)}: expected a mapping of sections (model, dataset, …), got ${quote(tree, 40)}`);
  }
  return tree as Record<string, unknown>;
}

/** Reads and parses a config file (YAML or JSON by its extension) from a source. */
export async function readConfig(source: ModelSource, file: string, opts: SourceOptions = {}): Promise<Record<string, unknown>> {
  const text = await readText(source, file, { ...opts, maxBytes: 16 * 1024 * 1024 });
  return parseConfigText(text, `${source.id}/${file}`);
}

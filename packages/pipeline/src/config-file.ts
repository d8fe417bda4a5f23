import { MaskgenError, type ModelSource, type SourceOptions, describeJsonError, quote, readText } from '@maskgen/core';
import { type Tags, parse } from 'yaml';

/** Config file types, in the order they are looked for beside a single checkpoint file. */
export const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

/**
 * The YAML 1.1 tags as OmegaConf's loader resolves them: booleans as PyYAML's (without the bare `y`/`n`
 * the yaml package also takes), and no timestamps (OmegaConf drops that resolver, so `2024-01-02` stays a string).
 */
function omegaconfTags(tags: Tags): Tags {
  return tags
    .filter((t) => !(typeof t === 'object' && t.tag === 'tag:yaml.org,2002:timestamp'))
    .map((t) =>
      typeof t === 'object' && 'test' in t && t.tag === 'tag:yaml.org,2002:bool' && t.test ? { ...t, test: t.test.test('yes') ? PY_TRUE : PY_FALSE } : t,
    );
}

/** True for file names read as YAML (the reference's `configs/infer/**.yaml`) rather than JSON. */
export function isYamlName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/**
 * Parses a model config from text: YAML (`.yaml`/`.yml`, read with YAML 1.1 rules as the reference's
 * OmegaConf/PyYAML loader does, so `False`/`True`/`yes` are booleans, `y`/`n` and dates strings) or JSON. Both give the same tree, which
 * every loader takes where it takes config.json. Tags are never resolved to code; aliases are capped.
 */
export function parseConfigText(text: string, name: string): Record<string, unknown> {
  let tree: unknown;
  try {
    tree = isYamlName(name)
      ? parse(text, { version: '1.1', uniqueKeys: true, maxAliasCount: 100, customTags: omegaconfTags, logLevel: 'error' })
      : JSON.parse(text);
  } catch (cause) {
    const why = isYamlName(name) ? String((cause as Error).message).split('\n')[0] : describeJsonError(cause, text);
    throw new MaskgenError('INVALID_CONFIG', `config ${quote(name)}: ${why}`, { cause });
  }
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    throw new MaskgenError(
      'INVALID_CONFIG',
      `config ${quote(name)}: expected a mapping of sections (model, dataset, …), got ${Array.isArray(tree) ? 'a list' : tree === null ? 'null' : `a ${typeof tree}`}`,
    );
  }
  return tree as Record<string, unknown>;
}

/** Reads and parses a config file (YAML or JSON by its extension) from a source. */
export async function readConfig(source: ModelSource, file: string, opts: SourceOptions = {}): Promise<Record<string, unknown>> {
  const text = await readText(source, file, { ...opts, maxBytes: 16 * 1024 * 1024 });
  return parseConfigText(text, `${source.id}/${file}`);
}

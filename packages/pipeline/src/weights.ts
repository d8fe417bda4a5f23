import {
  MaskgenError,
  type ModelSource,
  type NonFinitePolicy,
  type SafetensorsFile,
  type SourceOptions,
  SafetensorsFile as ST,
  openStateDict,
} from '@maskgen/core';

/** Weight file names tried in order: safetensors first, PyTorch pickles (read safely) as a fallback. */
export const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'] as const;

/** Opens a repo's state dict, whichever of the known files it ships (NaN/±Inf weights per `opts`' policy). */
export async function openWeights(source: ModelSource, opts: SourceOptions & NonFinitePolicy = {}): Promise<SafetensorsFile> {
  for (const file of WEIGHT_FILES) {
    if (!(await source.exists(file, opts))) continue;
    const handle = await source.open(file, opts);
    return file.endsWith('.safetensors') ? ST.open(handle, opts) : openStateDict(handle, opts);
  }
  throw new MaskgenError('NOT_FOUND', `${source.id}: no weights file (${WEIGHT_FILES.join(' or ')})`);
}

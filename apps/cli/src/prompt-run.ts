import { type GenerateOptions, type PromptItem, type TextToImage, rowSeededRng } from '@maskgen/pipeline';
import { ResultIndex, type ResultRecord, writeItemResult } from '@maskgen/queue/output-folder';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

export type { ResultRecord } from '@maskgen/queue/output-folder';

/** Settings shared by every image of a run (seeds and prompts are per item). */
export type RunSettings = Pick<GenerateOptions, 'steps' | 'guidance' | 'temperature' | 'aestheticScore' | 'signal' | 'onProgress'>;

/**
 * Items not done in `dir` yet (all of them with `force`): a re-run resumes where it stopped. An item is
 * done when its file is there *and* `results.jsonl` records it: a run killed between writing the PNG and
 * appending its line left an image with no record, which is generated again so every image has one.
 */
export async function pendingItems(items: readonly PromptItem[], dir: string, force = false): Promise<PromptItem[]> {
  if (force) return [...items];
  const recorded = new Set((await new ResultIndex(dir).all()).map((r) => r.file));
  const present = await Promise.all(
    items.map((it) =>
      stat(join(dir, it.file)).then(
        (s) => s.size > 0 && recorded.has(it.file),
        () => false,
      ),
    ),
  );
  return items.filter((_, i) => !present[i]);
}

/**
 * Images per model call for `--prompts` when `--batch-size` is not given, measured with `maskgen bench`
 * (docs/performance.md, "Batches"): batching saves no time per VQ image on a CPU, where one CFG step is
 * already a compute-bound GEMM of 410 rows, while peak memory grows with the batch; KL always runs 1.
 */
export const DEFAULT_BATCH_SIZE = 1;

/**
 * The images per model call a run uses: KL models draw noise that cannot be split per row, so they run
 * one image per call (each image stays what its seed gives alone); others take `requested` or the default.
 */
export function batchSizeFor(family: string, requested: number | undefined): number {
  return family === 'kl' ? 1 : (requested ?? DEFAULT_BATCH_SIZE);
}

/** Callbacks of a `--prompts` run. */
export interface RunHooks {
  /** Before each model call, with its items: the CLI starts a fresh set of per-image progress lines. */
  onBatch?: (chunk: readonly PromptItem[]) => void;
  /** Once an image's file and its `results.jsonl` line exist. */
  onWritten?: (rec: ResultRecord) => void;
}

/**
 * Generates `items` in chunks of `batchSize` images (default: `batchSizeFor` the model's family), each
 * image from its own seed (per-row Rng), writes each PNG atomically into `dir` and appends its record to
 * `dir/results.jsonl` as soon as it exists, so an interrupted run loses at most the chunk in flight.
 */
export async function runPromptItems(
  t2i: TextToImage,
  modelId: string,
  items: readonly PromptItem[],
  dir: string,
  batchSize: number | undefined,
  settings: RunSettings,
  hooks: RunHooks = {},
): Promise<ResultRecord[]> {
  const size = batchSizeFor(t2i.family, batchSize);
  const records: ResultRecord[] = [];
  for (let start = 0; start < items.length; start += size) {
    const chunk = items.slice(start, start + size);
    hooks.onBatch?.(chunk);
    const result = await t2i.generate(
      chunk.map((it) => it.prompt),
      { ...settings, seed: chunk[0].seed, rng: rowSeededRng(chunk.map((it) => it.seed)), numImages: 1 },
    );
    for (let i = 0; i < chunk.length; i++) {
      const rec = await writeItemResult(dir, chunk[i], result.images[i], modelId, result.settings);
      records.push(rec);
      hooks.onWritten?.(rec);
    }
  }
  return records;
}

export { createTextToImage } from './text-to-image.js';
export { loadTatitok } from './image-tokenizer.js';
export { loadTextEncoder } from './text-encoder.js';
export { openWeights, openCheckpoint, WEIGHT_FILES } from './weights.js';
export { openSource } from './sources.js';
export { describeModel } from './model-kind.js';
export {
  MODEL_ZOO,
  CLIP_REPO,
  DEFAULT_GENERATOR,
  zooEntry,
  requireZooEntry,
  type ZooEntry,
  type VqDefaults,
  type KlDefaults,
} from './model-zoo.js';
export { parsePromptList, deriveSeed, promptSlug, planPromptItems, rowSeededRng, type PromptItem } from './prompt-batch.js';
export { checkPrompts, MAX_PROMPTS, MAX_PROMPT_CHARS, MAX_IMAGES_PER_PROMPT } from './prompts.js';
export type { RgbaImage, SourceResolver, LoadOptions, PreviewEvent, GenerateOptions, GenerateResult, TextToImage } from './types.js';
export { createImageTokenizer, type ImageTokenizer } from './image-tokenizer-api.js';

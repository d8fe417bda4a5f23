export { createTextToImage } from './text-to-image.js';
export { describeModel } from './model-kind.js';
export { resolveModel, pairedTokenizer, modelLabel, type ModelRef, type ModelFile, type ResolvedModel } from './model-file.js';
export { FILE_ZOO, FILE_REPO, fileZooEntry, type FileZooEntry } from './file-zoo.js';
export { parseConfigText, readConfig, CONFIG_EXTENSIONS } from './config-file.js';
export {
  MODEL_ZOO,
  CLIP_REPO,
  DEFAULT_GENERATOR,
  zooEntry,
  requireZooEntry,
  type ZooEntry,
} from './model-zoo.js';
export {
  GENERATOR_FAMILIES,
  generatorFamily,
  recogniseGenerator,
  vqFamily,
  klFamily,
  type GeneratorFamily,
  type FamilyGenerator,
  type GeneratorDefaults,
  type GeneratorCreateOptions,
  type SampleRequest,
  type VqDefaults,
  type KlDefaults,
} from './families/index.js';
export { parsePromptList, deriveSeed, planPromptItems, rowSeededRng, type PromptItem } from './prompt-batch.js';
export { checkPrompts, MAX_PROMPTS, MAX_PROMPT_CHARS, MAX_IMAGES_PER_PROMPT } from './prompts.js';
export type { RgbaImage, SourceResolver, LoadOptions, PreviewEvent, GenerateOptions, GenerateResult, TextToImage } from './types.js';
export { createImageTokenizer, type ImageTokenizer } from './image-tokenizer-api.js';

export { Tatitok, type TatitokEncoding, type TatitokCreateOptions } from './tatitok.js';
export { type TatitokSpec, type TatitokOptions, type VitSpec, VIT_SIZES, resolveTatitok } from './tatitok-config.js';
export { buildEncoderGraph, ENCODER_IO } from './encoder-graph.js';
export { buildDecoderGraph, DECODER_IO } from './decoder-graph.js';
export { type ImageBytes, toUint8Images, toRgba, imageToTensor } from './image-convert.js';
export { type ResizeFilter, resizeAndCenterCrop } from './resize.js';

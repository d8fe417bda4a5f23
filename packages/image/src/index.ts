export { type PixelImage, MAX_IMAGE_PIXELS } from './pixel-image.js';
export { decodeImage, imageFormat, type ImageFormat } from './decode-image.js';
export { decodePng, MAX_PNG_PIXELS } from './png-decode.js';
export { decodeJpeg } from './jpeg-decode.js';
export { encodePng, type EncodableImage } from './png-encode.js';

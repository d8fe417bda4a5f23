export { createImageServer, type ImageServer } from './server.js';
export type { ImageServerOptions } from './options.js';
export { ApiError } from './api-error.js';
export { parseImagesRequest, type ImagesRequest, type RequestLimits } from './images-request.js';
export { JobQueue } from './job-queue.js';

export { type QueueTarget, DEFAULT_QUEUE_NAME, checkRedisUrl, reconnectDelay, redisConnection } from './connection.js';
export { type ModelSpec, type JobSettings, type ImageJobData, imageJobId, specMismatch, checkJobData } from './image-job.js';
export { type ImageQueue, JOB_DEFAULTS, openImageQueue, redactUrl, specKey } from './image-queue.js';
export { type EnqueueSummary, enqueueItems, waitForJob } from './producer.js';
export { type ImageWorker, type ImageWorkerOptions, type WorkerEvent, startImageWorker, queueModelSpec } from './image-worker.js';
export { type QueueStatus, queueStatus, retryFailed, drainQueue } from './queue-admin.js';
export { type ResultRecord, RESULTS_FILE, ResultIndex, writeItemResult, writeAtomic, appendResult, removeStalePartials } from './output-folder.js';

import type { Runtime } from '@maskgen/core';
import { describe } from 'vitest';
import { type LargeWeights, largeWeightConformance } from './conformance-large.js';
import { opConformance } from './conformance-ops.js';
import { sessionConformance } from './conformance-session.js';
import { type FileFactory, memoryFiles } from './weights-fixture.js';

export * from './reference-math.js';
export { expectMaskgenError } from './expect-error.js';
export { quietOrtConformance } from './quiet-ort.js';
export { weightsFixture, memoryFiles, type FileFactory } from './weights-fixture.js';
export type { LargeWeights } from './conformance-large.js';
export { startRedisServer, REDIS_SERVER, type TestRedis } from './redis-server.js';
export { opConformance, sessionConformance };

/**
 * The one conformance suite every runtime runs (unstorage-style): same graphs, same float64
 * references, so a runtime that passes can be swapped for another without changing results.
 */
export function runtimeConformance(name: string, make: () => Runtime, opts: { files?: FileFactory; large: LargeWeights }): void {
  const files = opts.files ?? memoryFiles;
  describe(`runtime conformance: ${name}`, () => {
    opConformance(make, files);
    sessionConformance(make, files);
    largeWeightConformance(make, opts.large);
  });
}

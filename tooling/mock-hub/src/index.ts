export { startMockHub } from './mock-hub.js';
export { fakeCommit } from './repo-files.js';
export type { MockHub, MockHubOptions, MockRepo, MockFault, FaultRule, RecordedRequest } from './types.js';

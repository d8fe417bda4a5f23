export { startMockHub } from './mock-hub.js';
export { fakeCommit } from './repo-files.js';
export type { MockHub, MockHubOptions, MockRepo, MockFault, FaultRule, RecordedRequest } from './types.js';
export { goldenRepos, defaultGoldenDir, GOLDEN_IDS } from './golden-repos.js';

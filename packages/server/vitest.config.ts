import { packageTestConfig } from '@maskgen/tsconfig/vitest.mjs';

export default packageTestConfig();

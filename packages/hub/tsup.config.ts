import { packageConfig } from '@maskgen/tsconfig/tsup.mjs';

export default packageConfig({ entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts', 'testing/index': 'src/testing/index.ts' } });

import { packageConfig } from '@maskgen/tsconfig/tsup.mjs';

export default packageConfig({ entry: ['src/index.ts', 'src/output-folder.ts'] });

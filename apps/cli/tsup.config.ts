import { packageConfig } from '@maskgen/tsconfig/tsup.mjs';

export default packageConfig({ entry: ['src/main.ts'], bin: true });

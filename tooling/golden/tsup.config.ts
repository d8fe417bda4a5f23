import { packageConfig } from '@maskgen/tsconfig/tsup.mjs';

export default packageConfig({ entry: ['src/cli.ts'], bin: true });

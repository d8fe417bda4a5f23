import { packageConfig } from '@maskgen/tsconfig/tsup.mjs';

export default packageConfig({ external: ['vitest'] });

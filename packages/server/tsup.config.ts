import { packageConfig } from '@maskgen/tsconfig/tsup.mjs';

export default packageConfig();

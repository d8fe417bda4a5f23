import type { UserConfig } from 'vitest/config';

/** Vitest settings shared by every workspace package: resolve `@maskgen/*` to sources (see vitest.mjs). */
export declare function packageTestConfig(overrides?: UserConfig): UserConfig;

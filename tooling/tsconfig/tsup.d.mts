import type { Options } from 'tsup';

/** One build recipe for every package (see tsup.mjs). */
export declare function packageConfig(options?: { entry?: Options['entry']; bin?: boolean } & Omit<Options, 'entry'>): Options;

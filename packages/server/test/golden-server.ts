import { GOLDEN_IDS, goldenRepos, startMockHub } from '@maskgen/mock-hub';
import { type TextToImage, createTextToImage } from '@maskgen/pipeline';
import { hubSource } from '@maskgen/hub/node';
import { nodeRuntime } from '@maskgen/runtime-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type ImageServer, type ImageServerOptions, createImageServer } from '../src/index.js';

/** The shared golden folder beside the repository. */
export const GOLDEN = resolve(__dirname, '../../../../shared/golden');

/**
 * A mock hub serving the golden checkpoints under the released ids (as in the pipeline and CLI
 * tests) and a way to start image servers on the tiny VQ generator, listening on 127.0.0.1.
 */
export function useGoldenServers() {
  const s = {} as { hub: Awaited<ReturnType<typeof startMockHub>>; cacheDir: string; servers: ImageServer[]; model?: Promise<TextToImage> };
  beforeAll(async () => {
    s.hub = await startMockHub({ repos: goldenRepos(GOLDEN) });
    s.cacheDir = mkdtempSync(join(tmpdir(), 'maskgen-server-cache-'));
    s.servers = [];
  });
  afterAll(async () => {
    await Promise.all(s.servers.map((sv) => sv.drain({ timeoutMs: 1000 }).catch(() => undefined)));
    await (await s.model?.catch(() => undefined))?.dispose();
    await s.hub.close();
  });
  return {
    /** Loads the golden VQ generator through the hub (a real download into a temp cache). */
    load(signal: AbortSignal) {
      const source = (repoId: string) => hubSource(repoId, { endpoint: s.hub.url, cacheDir: s.cacheDir });
      return createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime({ threads: 1 }), source, signal });
    },
    /**
     * One model for the whole file, handed to each server behind a no-op `dispose` (servers are
     * drained after each test or file; the model is freed once at the end), so loading is paid once.
     */
    shared(): Promise<TextToImage> {
      s.model ??= this.load(new AbortController().signal);
      return s.model.then((m) => ({ ...m, generate: m.generate.bind(m), edit: m.edit.bind(m), decode: m.decode.bind(m), dispose: async () => undefined }));
    },
    /** Starts a server on the shared model (drained after the file) and waits until it is ready. */
    async start(opts: Partial<ImageServerOptions> = {}): Promise<{ server: ImageServer; url: string }> {
      const server = createImageServer({ load: () => this.shared(), ...opts });
      s.servers.push(server);
      const url = await server.listen();
      await server.ready;
      return { server, url };
    },
  };
}

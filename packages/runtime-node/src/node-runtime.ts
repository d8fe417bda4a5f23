import { MaskgenError, type OnnxModel, serialSession, type Runtime, type Session, type SessionOptions, type Tensor, throwIfAborted } from '@maskgen/core';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DiskSessionCache, ENTRY_FILES } from './session-cache.js';
import { sessionCacheKey, sourcePaths } from './session-cache-key.js';
import { ortLogSeverity, ortTelemetryOff } from './telemetry-off.js';
import { fromOrt, toOrt } from './tensor-convert.js';

/** Options of the Node runtime; defaults use the CPU with ORT's own thread choice. */
export interface NodeRuntimeOptions {
  /** ORT execution providers in order of preference, e.g. ['cuda', 'cpu']. */
  executionProviders?: string[];
  /**
   * Intra-op threads; default: every CPU this process may use (`os.availableParallelism()`). Left to
   * itself ORT chose a layout that ran the MaskGen-KL decoder 1.6× slower on a 2-vCPU VM (measured in
   * docs/performance.md), so the count is always set explicitly.
   */
  threads?: number;
  /** ORT graph optimisation level. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * ORT pre-packs constant GEMM weights into a second buffer (faster runs, ~2x weight memory at load).
   * `false` keeps only the memory-mapped weights: peak RSS ≈ weight bytes, at some speed cost.
   */
  prepack?: boolean;
  /** Directory for the per-session graph folders (defaults to the OS temp dir). */
  tmpDir?: string;
  /**
   * A folder in which to keep each session's optimised graph and pre-packed weights, so later
   * processes load them instead of optimising again (cold start; docs/performance.md). Default:
   * `$MASKGEN_SESSION_CACHE` when set (`0`/`off` disables it), else none. Entries hold a copy of the
   * weights in ORT's layout, so they take about as much disk as the checkpoints.
   */
  sessionCache?: string | false;
}

/** The session cache folder from the option, else from MASKGEN_SESSION_CACHE; undefined when off. */
export function sessionCacheDir(option: string | false | undefined, env: Record<string, string | undefined> = process.env): string | undefined {
  if (option !== undefined) return option || undefined;
  const v = env.MASKGEN_SESSION_CACHE?.trim();
  return v && !/^(0|off|false|no)$/i.test(v) ? v : undefined;
}

/**
 * onnxruntime-node behind the core Runtime interface. Weight files are linked next to the graph
 * and ORT reads them as external data in place: no 2 GB protobuf limit, no weights in JS memory.
 */
export function nodeRuntime(options: NodeRuntimeOptions = {}): Runtime {
  ortTelemetryOff();
  const cacheDir = sessionCacheDir(options.sessionCache);
  const cache = cacheDir ? new DiskSessionCache(cacheDir) : undefined;
  return {
    name: 'onnxruntime-node',
    ...(cache ? { sessionCache: cache } : {}),
    async createSession(model: OnnxModel, opts: SessionOptions = {}): Promise<Session> {
      throwIfAborted(opts.signal, `creating session ${model.name}`);
      const threads = opts.threads ?? options.threads ?? availableParallelism();
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        executionProviders: (options.executionProviders ?? ['cpu']) as never,
        graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
        intraOpNumThreads: threads,
        logSeverityLevel: ortLogSeverity(),
      };
      const prepack: Record<string, string> = options.prepack === false ? { disable_prepacking: '1' } : {};
      try {
        // Entries are built only from weights that passed the strict NaN/±Inf scan (keyed by the files' identity),
        // so a hit needs no rescan; a model whose files allow non-finite values never reads or writes the cache.
        if (!cache || model.nonFiniteAllowed) return wrapSession(model.name, await openModel(model, sessionOptions, prepack, options.tmpDir, opts.signal));
        const key = await sessionCacheKey(model, {
          ortVersion: ort.env.versions.node ?? ort.env.versions.common ?? 'unknown',
          options: {
            providers: options.executionProviders ?? ['cpu'],
            level: sessionOptions.graphOptimizationLevel,
            threads,
            prepack: options.prepack !== false,
          },
        });
        if (!key) return wrapSession(model.name, await openModel(model, sessionOptions, prepack, options.tmpDir, opts.signal));
        if (await cache.refused(key)) return wrapSession(model.name, await openModel(model, sessionOptions, prepack, options.tmpDir, opts.signal));
        // Other processes share the cache: an entry can vanish or be refused between two steps. Any
        // failure of the cache itself costs only the cache; the session is then built without it.
        const found = await cache
          .lookup(key)
          .then(
            async (hit) => ({ hit, trial: hit ? await cache.beginTrial(key) : false }),
            () => undefined,
          )
          .catch(() => undefined);
        if (!found) return wrapSession(model.name, await openModel(model, sessionOptions, prepack, options.tmpDir, opts.signal));
        const { hit } = found;
        if (hit && found.trial) {
          // Already optimised: loading it again with optimisations on would only redo (and re-check) them.
          const loaded = await ort.InferenceSession.create(hit, { ...sessionOptions, graphOptimizationLevel: 'disabled', extra: { session: prepack } }).catch(
            () => undefined,
          );
          if (loaded) return wrapSession(model.name, loaded, () => cache.trialPassed(key));
          await cache.discard(key); // ORT refused it (damage the fingerprint missed): rebuild below
        } else if (hit) {
          return wrapSession(model.name, await openModel(model, sessionOptions, prepack, options.tmpDir, opts.signal));
        }
        const tmp = await cache.begin(key);
        try {
          const save: Record<string, string> = {
            optimized_model_external_initializers_file_name: ENTRY_FILES.data,
            // Only initializers of 1 MiB and more go to the data file, which ORT aligns for mapping: with
            // smaller ones there too, a reloaded CLIP text tower crashed onnxruntime 1.30 in its first run.
            optimized_model_external_initializers_min_size_in_bytes: String(1 << 20),
            ...(options.prepack === false ? {} : { save_external_prepacked_constant_initializers: '1' }),
          };
          const session = await openModel(
            model,
            { ...sessionOptions, optimizedModelFilePath: join(tmp, ENTRY_FILES.graph) },
            { ...prepack, ...save },
            options.tmpDir,
            opts.signal,
          );
          await cache.publish(tmp, key, { model: model.name, sources: await sourcePaths(model) }).catch(() => undefined);
          return wrapSession(model.name, session);
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      } catch (cause) {
        if (cause instanceof MaskgenError) throw cause;
        throw new MaskgenError('RUNTIME', `onnxruntime-node could not create session ${model.name}: ${(cause as Error).message}`, { cause });
      }
    },
  };
}

/** Creates an ORT session over the model's weights: in place where they are local files, else from a packed copy. */
async function openModel(
  model: OnnxModel,
  sessionOptions: ort.InferenceSession.SessionOptions,
  extra: Record<string, string>,
  tmpDir: string | undefined,
  signal: AbortSignal | undefined,
): Promise<ort.InferenceSession> {
  // Real paths: cache snapshots are symlinks into blobs/, and ORT rejects external data that
  // resolves outside the folder it was told to read from.
  const local = await Promise.all(model.externalData.map((e) => (e.file.localPath ? realpath(e.file.localPath) : undefined)));
  const dirs = new Set(local.map((p) => (p ? dirname(p) : undefined)));
  if (model.externalData.length === 0) return ort.InferenceSession.create(model.graph, { ...sessionOptions, extra: { session: extra } });
  if (dirs.size === 1 && !dirs.has(undefined)) {
    // ORT reads the weights in place (memory-mapped) from the folder they live in.
    const graph = model.relocate(Object.fromEntries(model.externalData.map((e, i) => [e.path, basename(local[i]!)])));
    // JS never reads these weights, so they are checked for NaN/±Inf while ORT loads them.
    const [created, scanned] = await Promise.allSettled([
      ort.InferenceSession.create(graph, { ...sessionOptions, extra: { session: { model_external_initializers_file_folder_path: [...dirs][0]!, ...extra } } }),
      model.scanWeights?.({ signal }),
    ]);
    if (scanned.status === 'rejected') {
      if (created.status === 'fulfilled') await created.value.release();
      throw scanned.reason;
    }
    if (created.status === 'rejected') throw created.reason;
    return created.value;
  }
  // Remote or scattered files: write a packed copy of just the referenced bytes.
  const packed = await model.pack({ signal });
  const dir = await mkdtemp(join(tmpDir ?? tmpdir(), 'maskgen-'));
  try {
    await writeFile(join(dir, 'model.onnx'), packed.graph);
    for (const e of packed.externalData) await writeFile(join(dir, e.path), e.data);
    return await ort.InferenceSession.create(join(dir, 'model.onnx'), { ...sessionOptions, extra: { session: extra } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function wrapSession(name: string, session: ort.InferenceSession, onFirstRun?: () => Promise<void>): Session {
  return serialSession(name, 'onnxruntime-node', {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputs: session.inputMetadata,
    outputs: session.outputMetadata,
    async run(feeds: Record<string, Tensor>) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(k, v);
      const out = await session.run(ortFeeds);
      if (onFirstRun) await onFirstRun().finally(() => (onFirstRun = undefined));
      const result: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(out)) result[k] = fromOrt(k, v);
      return result;
    },
    release: () => session.release(),
  });
}

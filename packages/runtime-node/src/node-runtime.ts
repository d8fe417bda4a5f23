import { MaskgenError, type OnnxModel, serialSession, type Runtime, type Session, type SessionOptions, type Tensor, throwIfAborted } from '@maskgen/core';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
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
}

/**
 * onnxruntime-node behind the core Runtime interface. Weight files are linked next to the graph
 * and ORT reads them as external data in place: no 2 GB protobuf limit, no weights in JS memory.
 */
export function nodeRuntime(options: NodeRuntimeOptions = {}): Runtime {
  ortTelemetryOff();
  return {
    name: 'onnxruntime-node',
    async createSession(model: OnnxModel, opts: SessionOptions = {}): Promise<Session> {
      throwIfAborted(opts.signal, `creating session ${model.name}`);
      let dir: string | undefined;
      try {
        // Real paths: cache snapshots are symlinks into blobs/, and ORT rejects external data that
        // resolves outside the folder it was told to read from.
        const local = await Promise.all(model.externalData.map((e) => (e.file.localPath ? realpath(e.file.localPath) : undefined)));
        const dirs = new Set(local.map((p) => (p ? dirname(p) : undefined)));
        const threads = opts.threads ?? options.threads ?? availableParallelism();
        const sessionOptions: ort.InferenceSession.SessionOptions = {
          executionProviders: (options.executionProviders ?? ['cpu']) as never,
          graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
          intraOpNumThreads: threads,
          logSeverityLevel: ortLogSeverity(),
        };
        let session: ort.InferenceSession;
        if (model.externalData.length === 0) {
          session = await ort.InferenceSession.create(model.graph, sessionOptions);
        } else if (dirs.size === 1 && !dirs.has(undefined)) {
          // ORT reads the weights in place (memory-mapped) from the folder they live in.
          const folder = [...dirs][0]!;
          const graph = model.relocate(Object.fromEntries(model.externalData.map((e, i) => [e.path, basename(local[i]!)])));
          // JS never reads these weights, so they are checked for NaN/±Inf while ORT loads them.
          const [created, scanned] = await Promise.allSettled([
            ort.InferenceSession.create(graph, {
              ...sessionOptions,
              extra: { session: { model_external_initializers_file_folder_path: folder, ...(options.prepack === false ? { disable_prepacking: '1' } : {}) } },
            }),
            model.scanWeights?.({ signal: opts.signal }),
          ]);
          if (scanned.status === 'rejected') {
            if (created.status === 'fulfilled') await created.value.release();
            throw scanned.reason;
          }
          if (created.status === 'rejected') throw created.reason;
          session = created.value;
        } else {
          // Remote or scattered files: write a packed copy of just the referenced bytes.
          const packed = await model.pack({ signal: opts.signal });
          dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'maskgen-'));
          await writeFile(join(dir, 'model.onnx'), packed.graph);
          for (const e of packed.externalData) await writeFile(join(dir, e.path), e.data);
          session = await ort.InferenceSession.create(join(dir, 'model.onnx'), sessionOptions);
        }
        return wrapSession(model.name, session);
      } catch (cause) {
        if (cause instanceof MaskgenError) throw cause;
        throw new MaskgenError('RUNTIME', `onnxruntime-node could not create session ${model.name}: ${(cause as Error).message}`, { cause });
      } finally {
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

function wrapSession(name: string, session: ort.InferenceSession): Session {
  return serialSession(name, 'onnxruntime-node', {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputs: session.inputMetadata,
    outputs: session.outputMetadata,
    async run(feeds: Record<string, Tensor>) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(k, v);
      const out = await session.run(ortFeeds);
      const result: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(out)) result[k] = fromOrt(k, v);
      return result;
    },
    release: () => session.release(),
  });
}

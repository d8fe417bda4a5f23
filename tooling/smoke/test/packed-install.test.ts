import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const GOLDEN = resolve(ROOT, '../shared/golden');
const PACKAGES = ['core', 'hub', 'image', 'clip-text', 'tatitok', 'sampler', 'pipeline', 'runtime-node', 'runtime-web', 'server', 'queue'];
let app: string;
let prefix: string;
let work: string;
let tarballs: string[];

/** The golden checkpoints as local repo folders (config.json + model.safetensors), like downloaded repos. */
function goldenFolders(root: string) {
  const mk = (name: string, files: Record<string, string>, config?: unknown) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    for (const [to, from] of Object.entries(files)) symlinkSync(join(GOLDEN, from), join(dir, to));
    if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    return dir;
  };
  const tokConfig = JSON.parse(readFileSync(join(GOLDEN, 'tatitok_vq/config.json'), 'utf8'));
  const heads = JSON.parse(readFileSync(join(GOLDEN, 'tatitok_vq/case.json'), 'utf8')).model;
  tokConfig.model.vq_model.vit_enc_num_heads = heads.encoder.num_heads;
  tokConfig.model.vq_model.vit_dec_num_heads = heads.decoder.num_heads;
  return {
    generatorId: 'turkeyju/generator_maskgen_vq_xl',
    dirs: {
      'turkeyju/generator_maskgen_vq_xl': mk('gen', { 'config.json': 'maskgen_vq/config.json', 'model.safetensors': 'maskgen_vq/weights.safetensors' }),
      'turkeyju/tokenizer_tatitok_bl128_vq': mk('tok', { 'model.safetensors': 'tatitok_vq/weights.safetensors' }, tokConfig),
      'openai/clip-vit-large-patch14-336': mk('clip', {
        'config.json': 'clip_text/config.json',
        'model.safetensors': 'clip_text/weights_hf.safetensors',
        'bpe_simple_vocab_16e6.txt.gz': 'clip_tokenizer/bpe_simple_vocab_16e6.txt.gz',
      }),
    },
  };
}

/**
 * Plain `npm` (install, exec), bounded: an npm that stalls (seen here once: idle for 13 minutes with no socket open
 * while other npm processes shared its cache) is killed after 4 minutes and run once more, so a stall
 * fails this suite in bounded time instead of hanging CI. Any other failure is reported at once.
 */
function npmInstall(args: string[], cwd: string): string {
  for (let attempt = 1; ; attempt++) {
    try {
      const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
      return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: 'pipe', timeout: 240_000, killSignal: 'SIGKILL', env });
    } catch (e) {
      const timedOut = (e as { signal?: string }).signal === 'SIGKILL';
      if (!timedOut || attempt === 2) throw e;
    }
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'maskgen-smoke-'));
  const tgz = join(work, 'tgz');
  mkdirSync(tgz);
  for (const p of PACKAGES) execFileSync('pnpm', ['pack', '--pack-destination', tgz], { cwd: join(ROOT, 'packages', p), stdio: 'pipe' });
  // The CLI as users get it: `npm i -g` of the packed @maskgen/cli with its packed dependencies, into an empty prefix.
  const cliTgz = join(work, 'cli-tgz');
  mkdirSync(cliTgz);
  execFileSync('pnpm', ['pack', '--pack-destination', cliTgz], { cwd: join(ROOT, 'apps', 'cli'), stdio: 'pipe' });
  prefix = join(work, 'global');
  tarballs = [...readdirSync(tgz).map((f) => join(tgz, f)), ...readdirSync(cliTgz).map((f) => join(cliTgz, f))];
  npmInstall(['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs], work);
  app = join(work, 'app');
  mkdirSync(app);
  const deps: Record<string, string> = {};
  for (const f of readdirSync(tgz)) deps[`@maskgen/${f.replace(/^maskgen-/, '').replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`] = `file:../tgz/${f}`;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke-app', private: true, type: 'module', dependencies: deps, overrides: deps }));
  npmInstall(['install', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  copyFileSync(join(__dirname, '../fixtures/use-packages.mjs'), join(app, 'use-packages.mjs'));
  copyFileSync(join(__dirname, '../fixtures/web-entry.js'), join(app, 'web-entry.js'));
}, 1_200_000);

/** Runs the globally installed `maskgen` from an unrelated folder, as a user would. */
function maskgen(args: string[], cwd = work) {
  return spawnSync(join(prefix, 'bin', 'maskgen'), args, { cwd, encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1', HF_HOME: join(work, 'hf') } });
}

describe('@maskgen/cli installed with npm i -g from the packed tarballs', () => {
  it('maskgen --version and help', () => {
    const v = maskgen(['--version']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'apps/cli/package.json'), 'utf8')).version);
    expect(maskgen(['help', 'generate']).stdout).toMatch(/^usage: maskgen generate/);
  });

  it('npx: npm exec of the packed CLI with its packed dependencies runs maskgen --version', () => {
    const dir = mkdtempSync(join(work, 'npx-'));
    // Offline: the tarballs give every @maskgen package; the rest is in npm's cache since beforeAll's install.
    const packages = tarballs.map((t) => `--package=${t}`);
    const out = npmInstall(['exec', '--yes', '--offline', '--ignore-scripts', ...packages, '--', 'maskgen', '--version'], dir);
    expect(out.trim().split('\n').at(-1)).toBe(JSON.parse(readFileSync(join(ROOT, 'apps/cli/package.json'), 'utf8')).version);
  }, 600_000);

  it('the installed CLI depends only on published @maskgen packages (no workspace: or file: specs)', () => {
    const pkg = JSON.parse(readFileSync(join(prefix, 'lib/node_modules/@maskgen/cli/package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ maskgen: './dist/main.js' });
    for (const [name, spec] of Object.entries(pkg.dependencies as Record<string, string>)) {
      expect(spec, name).toMatch(/^\^?\d+\.\d+\.\d+/);
    }
  });

  it('maskgen generate writes a PNG from local folders built from the goldens', () => {
    const { dirs } = goldenFolders(mkdtempSync(join(tmpdir(), 'maskgen-smoke-cli-')));
    const out = join(work, 'cli-out');
    mkdirSync(out);
    const r = maskgen([
      'generate',
      'a red fox',
      '--seed',
      '1',
      '--steps',
      '3',
      '-q',
      '-o',
      join(out, 'fox.png'),
      '--model',
      dirs['turkeyju/generator_maskgen_vq_xl'],
      '--tokenizer',
      dirs['turkeyju/tokenizer_tatitok_bl128_vq'],
      '--text-encoder',
      dirs['openai/clip-vit-large-patch14-336'],
    ]);
    expect(r.status, r.stderr).toBe(0);
    const png = readFileSync(join(out, 'fox.png'));
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(png.readUInt32BE(16)).toBe(32);
  }, 120_000);

  it('maskgen queue loads @maskgen/queue and BullMQ from the packed tarballs (an unreachable Redis is a clear error)', () => {
    const r = maskgen(['queue', 'status', '--queue', 'redis://127.0.0.1:9/0']);
    expect(r.stderr).toMatch(/--queue: cannot reach Redis at redis:\/\/127.0.0.1:9\/0/);
    expect(r.status).toBe(1);
  }, 60_000);

  it('maskgen reconstruct reads a JPEG', () => {
    const { dirs } = goldenFolders(mkdtempSync(join(tmpdir(), 'maskgen-smoke-cli-')));
    copyFileSync(join(__dirname, '../fixtures/photo.jpg'), join(work, 'photo.jpg'));
    const r = maskgen([
      'reconstruct',
      'photo.jpg',
      '-o',
      'photo-rec.png',
      '-q',
      '--tokenizer',
      dirs['turkeyju/tokenizer_tatitok_bl128_vq'],
      '--text-encoder',
      dirs['openai/clip-vit-large-patch14-336'],
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(work, 'photo-rec.png')).readUInt32BE(16)).toBe(32);
  }, 120_000);
});

describe('packed packages installed outside the workspace', () => {
  it('import in a fresh project and generate an image with runtime-node', () => {
    const r = spawnSync(process.execPath, ['use-packages.mjs', JSON.stringify(goldenFolders(mkdtempSync(join(tmpdir(), 'maskgen-smoke-repos-'))))], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out).toMatchObject({ width: 32, height: 32, bytes: 32 * 32 * 4, pngRoundTrip: true });
    // Node 20.19+ loads ESM through require() (the exports map has a default condition for it).
    expect(out.requireResult).toBe('loaded');
  }, 120_000);

  it('TypeScript in a CommonJS project: module nodenext type-checks, node16 gives TS1479 (as the README says)', () => {
    const dir = join(app, 'cjs-ts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cjs-ts', version: '1.0.0' }));
    writeFileSync(
      join(dir, 'index.ts'),
      "import { encodePng } from '@maskgen/image';\nimport { createTextToImage } from '@maskgen/pipeline';\nexport const used = [encodePng, createTextToImage];\n",
    );
    const tsc = (module: string) =>
      spawnSync(
        process.execPath,
        [
          join(ROOT, 'node_modules/typescript/bin/tsc'),
          '--module',
          module,
          '--moduleResolution',
          module,
          '--target',
          'es2022',
          '--noEmit',
          '--skipLibCheck',
          'index.ts',
        ],
        { cwd: dir, encoding: 'utf8' },
      );
    const next = tsc('nodenext');
    expect(next.status, next.stdout).toBe(0);
    const old = tsc('node16');
    expect(old.stdout).toMatch(/TS1479/);
  }, 120_000);

  it('bundle runtime-web and @maskgen/image with Vite for the browser', async () => {
    const { build } = await import('vite');
    await build({
      root: app,
      logLevel: 'silent',
      build: { outDir: join(app, 'dist'), lib: { entry: join(app, 'web-entry.js'), formats: ['es'], fileName: 'web-entry' }, emptyOutDir: true },
    });
    const files = readdirSync(join(app, 'dist'));
    expect(files).toContain('web-entry.js');
    const js = readFileSync(join(app, 'dist', 'web-entry.js'), 'utf8');
    expect(js).toMatch(/maskgenSmoke/);
    // Load the bundle and run a graph, with ORT's wasm files taken from the installed package.
    await import(join(app, 'dist', 'web-entry.js'));
    const ortDist = `${join(app, 'node_modules', 'onnxruntime-web', 'dist')}/`;
    type Result = { y: number; hub: string; image: unknown };
    const result = await (globalThis as unknown as { maskgenSmoke: (p: string) => Promise<Result> }).maskgenSmoke(ortDist);
    expect(result.y).toBe(-2);
    expect(result.hub).toBe('function');
    expect(result.image).toEqual({ width: 2, height: 1, channels: 3, data: [1, 2, 3, 250, 251, 252] });
  }, 300_000);
});

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Runs, in a child process, a session whose feeds pass the declared-input check but fail inside the
 * graph (x[n] + y[m] with n ≠ m), and returns what the child printed: the typed error's message on
 * stdout, and whatever onnxruntime itself wrote on stderr.
 */
function failingRunInChild(cwd: string, runtimeImport: string, env: Record<string, string>): { stdout: string; stderr: string } {
  const script = `
    const { GraphBuilder, tensor } = await import('@maskgen/core');
    ${runtimeImport}
    const g = new GraphBuilder('inner');
    g.output(g.op1('Add', [g.input('x', 'float32', ['n']), g.input('y', 'float32', ['m'])]), 'z');
    const s = await make().createSession(g.build());
    try { await s.run({ x: tensor('float32', [2], [1, 2]), y: tensor('float32', [3], [1, 2, 3]) }); } catch (e) { console.log(e.code, e.message); }
    await s.dispose();`;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'MASKGEN_ORT_LOG'));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, stderr: r.stderr };
}

/**
 * The user-facing side of a failing run, for one runtime package (`cwd`): only the typed one-line error
 * reaches the user, never ORT's colour-coded `[E:onnxruntime:…]` lines, unless MASKGEN_ORT_LOG asks for them.
 */
export function quietOrtConformance(name: string, cwd: string, runtimeImport: string): void {
  describe(`${name}: onnxruntime's own log lines`, () => {
    it('stay off stderr when a run fails; the typed error names the tensors', () => {
      const { stdout, stderr } = failingRunInChild(cwd, runtimeImport, {});
      expect(stdout).toMatch(/^SHAPE_MISMATCH .*could not run inner: the input shapes do not fit together .*given x float32 \[2\], y float32 \[3\]/);
      expect(stderr).not.toMatch(/onnxruntime|\x1b\[/);
    }, 60_000);
    it('come back with MASKGEN_ORT_LOG=0 (proof the check can see them)', () => {
      expect(failingRunInChild(cwd, runtimeImport, { MASKGEN_ORT_LOG: '0' }).stderr).toMatch(/\[[VIWE]:onnxruntime/);
    }, 60_000);
  });
}

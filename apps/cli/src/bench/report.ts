import type { ComponentResult } from './isolate.js';
import { fmtBytes } from './measure.js';

/**
 * One component's line of the human report: speed against the GEMM peak, build and first-run time,
 * peak RSS against its checkpoint bytes, and per-part wall vs FLOP shares where the component has parts
 * (the KL target compares the diffusion head's share of wall time with its share of FLOPs).
 */
export function formatRow(r: ComponentResult): string {
  const peakGflops = r.gemmPeakGflops;
  const gflops = r.flops / r.medianMs / 1e6;
  const lines = [
    `${r.name}`,
    `  ${(r.params / 1e6).toFixed(0)}M params, ${(r.flops / 1e9).toFixed(1)} GFLOP: median ${r.medianMs.toFixed(0)} ms of [${r.runsMs.map((x) => x.toFixed(0)).join(', ')}]` +
      `  ${gflops.toFixed(1)} GFLOP/s = ${((gflops / peakGflops) * 100).toFixed(0)}% of the ${peakGflops.toFixed(0)} GFLOP/s peak`,
    `  build ${(r.buildMs / 1000).toFixed(1)} s (incl. random weights when new), first run ${(r.firstRunMs / 1000).toFixed(1)} s;` +
      ` peak RSS ${fmtBytes(r.peakRssBytes)} = ${(r.peakRssBytes / r.weightBytes).toFixed(2)}× the ${fmtBytes(r.weightBytes)} of weights`,
  ];
  if (r.images && r.images > 1) lines.push(`  ${r.images} images per call: ${(r.medianMs / r.images).toFixed(0)} ms per image`);
  if (r.vsFloat32) {
    const v = r.vsFloat32;
    lines.push(
      `  ${r.precision} vs float32 on the same inputs: relative RMS error ${v.relRms.toExponential(2)}, largest difference ${v.maxAbs.toExponential(2)} (largest value ${v.maxRef.toExponential(2)})`,
    );
  }
  if (r.vsFloat32Unavailable) lines.push(`  no float32 comparison: ${r.vsFloat32Unavailable}`);
  if (r.parts) {
    const ms = Object.values(r.parts).reduce((s, p) => s + p.ms, 0);
    const fl = Object.values(r.parts).reduce((s, p) => s + p.flops, 0);
    const parts = Object.entries(r.parts).map(([k, p]) => {
      const wall = p.ms / ms;
      const work = p.flops / fl;
      return `${k} ${p.ms.toFixed(0)} ms (${(wall * 100).toFixed(0)}% of wall, ${(work * 100).toFixed(0)}% of FLOPs, ${(wall / work).toFixed(2)}×)`;
    });
    lines.push(`  last run: ${parts.join('; ')}`);
  }
  return lines.join('\n');
}

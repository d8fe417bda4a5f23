const f = Math.fround;
const EPS = f(1e-20);

/** −log(−log(u)) with the reference's clamp(min=1e-20) inside each log, in float32. */
export function gumbel(u: number): number {
  const a = f(Math.log(Math.max(u, EPS)));
  const b = f(Math.log(Math.max(-a, EPS)));
  return -b;
}

/** t + temperature · gumbel(u), in float32 (temperature is a Python float cast to float32). */
export function addGumbel(t: number, u: number, temperature: number): number {
  return f(t + f(f(temperature) * gumbel(u)));
}

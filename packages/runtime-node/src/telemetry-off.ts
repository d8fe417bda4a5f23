/**
 * onnxruntime-node 1.30 starts a telemetry system on the first session: it writes
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db` (and a device id) and an empty
 * `$TMPDIR/mat-debug-<pid>.log`, outside any cache the user chose. Off unless asked for: ORT reads
 * ORT_DISABLE_TELEMETRY when its environment is created (the first session), so this runs before.
 * Turn it back on with MASKGEN_ORT_TELEMETRY=1 (or set ORT_DISABLE_TELEMETRY yourself).
 */
/**
 * ORT's own log lines (`[E:onnxruntime:…]`, colour-coded, naming graph nodes) duplicate the typed error
 * every failure becomes; only fatal ones are printed unless MASKGEN_ORT_LOG=0…4 (verbose…fatal) says otherwise.
 */
export function ortLogSeverity(env: Readonly<Record<string, string | undefined>> = process.env): 0 | 1 | 2 | 3 | 4 {
  const v = Number(env.MASKGEN_ORT_LOG);
  return env.MASKGEN_ORT_LOG !== undefined && env.MASKGEN_ORT_LOG !== '' && Number.isInteger(v) && v >= 0 && v <= 4 ? (v as 0 | 1 | 2 | 3 | 4) : 4;
}

export function ortTelemetryOff(env: NodeJS.ProcessEnv = process.env): void {
  if (env.ORT_DISABLE_TELEMETRY === undefined && !/^(1|true|yes|on)$/i.test(env.MASKGEN_ORT_TELEMETRY ?? '')) env.ORT_DISABLE_TELEMETRY = '1';
}

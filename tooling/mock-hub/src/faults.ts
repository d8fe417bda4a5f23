import type { ServerResponse } from 'node:http';
import type { FaultRule, MockFault } from './types.js';

/** The fault rules of one server, consumed as requests hit them. */
export class FaultBook {
  private rules: FaultRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, times: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Finds the first rule matching this request and counts the hit. */
  take(method: string, path: string, file: string | undefined): MockFault | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== method) continue;
      if (rule.path && !rule.path.test(path)) continue;
      if (rule.file !== undefined) {
        if (file === undefined) continue;
        if (typeof rule.file === 'string' ? rule.file !== file : !rule.file.test(file)) continue;
      }
      rule.times = (rule.times ?? 1) - 1;
      if (rule.times <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
      return rule.fault;
    }
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies the body-shaping faults (wrong length, corruption) before headers are computed. */
export function shapeBody(body: Uint8Array, fault: MockFault | undefined): Uint8Array {
  if (fault?.kind === 'wrong-length') {
    const delta = fault.delta ?? 1;
    if (delta >= 0) return body.subarray(0, Math.max(0, body.byteLength - delta));
    const longer = new Uint8Array(body.byteLength - delta);
    longer.set(body);
    return longer;
  }
  if (fault?.kind === 'corrupt' && body.byteLength > 0) {
    const copy = body.slice();
    const at = Math.min(fault.at ?? body.byteLength >> 1, body.byteLength - 1);
    copy[at] ^= 0xff;
    return copy;
  }
  return body;
}

/**
 * Writes a body honouring the transfer faults: drop (destroy mid-body), stall (stop sending but keep
 * the socket), slow (throttle). The status and headers must already be set.
 */
export async function sendBody(res: ServerResponse, body: Uint8Array, fault: MockFault | undefined, stalled: Set<ServerResponse>): Promise<void> {
  if (fault?.kind === 'drop' || fault?.kind === 'stall') {
    res.flushHeaders();
    const n = Math.min(fault.afterBytes, body.byteLength);
    if (n > 0) await new Promise<void>((r) => res.write(body.subarray(0, n), () => r()));
    await sleep(20);
    if (fault.kind === 'drop') res.socket?.destroy();
    else stalled.add(res);
    return;
  }
  if (fault?.kind === 'trickle') {
    res.flushHeaders();
    for (let o = 0; o < body.byteLength; o++) {
      if (res.destroyed) return;
      res.write(body.subarray(o, o + 1));
      await sleep(fault.intervalMs);
    }
    res.end();
    return;
  }
  if (fault?.kind === 'slow' && fault.bytesPerSecond !== undefined) {
    const chunk = Math.max(1, Math.floor(fault.bytesPerSecond / 20));
    res.flushHeaders();
    for (let o = 0; o < body.byteLength; o += chunk) {
      if (res.destroyed) return;
      res.write(body.subarray(o, o + chunk));
      await sleep(50);
    }
    res.end();
    return;
  }
  res.end(body);
}

/** Delays the headers when a slow fault asks for it. */
export async function delayHeaders(fault: MockFault | undefined): Promise<void> {
  if (fault?.kind === 'slow' && fault.delayMs) await sleep(fault.delayMs);
}

import { afterEach, describe, expect, it, vi } from 'vitest';

/** A fresh module per case: the device choice is resolved once per page and cached. */
async function load(gpu?: { requestAdapter(): Promise<unknown> }) {
  vi.resetModules();
  vi.stubGlobal('navigator', gpu ? { gpu } : {});
  return import('../src/webgpu-device.js');
}
const adapter = (isFallbackAdapter: boolean) => ({ info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter } });

afterEach(() => vi.unstubAllGlobals());

describe('device choice', () => {
  it("'auto' without WebGPU runs on WASM and says why", async () => {
    const m = await load();
    await expect(m.resolveWebDevice('auto')).resolves.toMatchObject({ device: 'wasm', reason: expect.stringMatching(/navigator\.gpu/) });
  });

  it("'webgpu' without an adapter fails naming the reason", async () => {
    const m = await load({ requestAdapter: async () => null });
    await expect(m.resolveWebDevice('webgpu')).rejects.toMatchObject({
      code: 'RUNTIME',
      message: expect.stringMatching(/'webgpu' was requested but .*no adapter/),
    });
  });

  it("'auto' refuses a fallback (software) adapter; 'webgpu' takes it", async () => {
    const m = await load({ requestAdapter: async () => adapter(true) });
    const auto = await m.resolveWebDevice('auto');
    expect(auto.device).toBe('wasm');
    expect(auto.reason).toMatch(/fallback adapter \(google swiftshader \(fallback adapter\)\)/);
    await expect(m.resolveWebDevice('webgpu')).resolves.toMatchObject({ device: 'webgpu', adapter: { isFallbackAdapter: true } });
  });

  it("'auto' takes a hardware adapter", async () => {
    const m = await load({ requestAdapter: async () => adapter(false) });
    await expect(m.resolveWebDevice('auto')).resolves.toMatchObject({ device: 'webgpu', reason: 'adapter google swiftshader' });
  });

  it('names the failing op from onnxruntime-web messages', async () => {
    const { failingOp } = await load();
    expect(failingOp('[WebGPU] Kernel "[Split] Split_split_425" failed. Program Split has zero-sized tensor(s)')).toBe('op Split (node Split_split_425)');
    expect(failingOp("Non-zero status code returned while running Gelu node. Name:'Gelu_gelu_3' Status Message: x")).toBe('op Gelu (node Gelu_gelu_3)');
    expect(failingOp('nbits_ == 4 || nbits_ == 2 was false. Only 2b and 4b quantization is supported for MatMulNBits op')).toBe('op MatMulNBits');
    expect(failingOp('out of memory')).toBeUndefined();
  });
});

describe('capabilities', () => {
  /** webRuntime from a fresh module graph, so it sees the stubbed adapter (the choice is cached per page). */
  async function runtimeOn(device: 'auto' | 'wasm' | 'webgpu', fallback: boolean) {
    await load({ requestAdapter: async () => adapter(fallback) });
    const { webRuntime } = await import('../src/web-runtime.js');
    const { graphOptionsFor } = await import('@maskgen/core');
    return graphOptionsFor(webRuntime({ device }), 'int8');
  }

  it('int8 graphs dequantise in the graph on WebGPU (no 8-bit MatMulNBits there) and keep MatMulNBits on WASM', async () => {
    await expect(runtimeOn('webgpu', true)).resolves.toEqual({ precision: 'int8', int8Kernel: 'DequantizeLinear' });
    await expect(runtimeOn('auto', false)).resolves.toEqual({ precision: 'int8', int8Kernel: 'DequantizeLinear' });
    await expect(runtimeOn('auto', true)).resolves.toEqual({ precision: 'int8', int8Kernel: 'MatMulNBits' });
    await expect(runtimeOn('wasm', false)).resolves.toEqual({ precision: 'int8', int8Kernel: 'MatMulNBits' });
  });
});

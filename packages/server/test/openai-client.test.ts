import { decodeImage } from '@maskgen/image';
import { GOLDEN_IDS } from '@maskgen/mock-hub';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useGoldenServers } from './golden-server.js';

const golden = useGoldenServers();

/** MaskGen's extension fields ride along; the openai package passes unknown body fields through. */
type Ext = { seed?: number; steps?: number; guidance_scale?: number };

describe('the official openai client against maskgen serve (golden VQ model)', () => {
  it('generates b64_json images, reproducible by seed, with the model listed under /v1/models', async () => {
    const { url } = await golden.start({ token: 'sk-test' });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([GOLDEN_IDS.vqGenerator]);
    const size = 'auto';
    const body = { prompt: 'a red fox in the snow', n: 2, size, response_format: 'b64_json', seed: 7, steps: 3 } as OpenAI.ImageGenerateParamsNonStreaming &
      Ext;
    const a = await client.images.generate(body);
    const b = await client.images.generate(body);
    expect(a.data).toHaveLength(2);
    const png = await decodeImage(Buffer.from(a.data![0].b64_json!, 'base64'));
    expect(png.width).toBeGreaterThan(0);
    expect(png.width).toBe(png.height);
    expect(a.data!.map((d) => d.b64_json)).toEqual(b.data!.map((d) => d.b64_json));
    expect(a.data![0].b64_json).not.toBe(a.data![1].b64_json);
    expect((a as unknown as { maskgen: { seed: number } }).maskgen.seed).toBe(7);
    // The size the server names is the only one it accepts besides auto.
    const exact = `${png.width}x${png.height}` as OpenAI.ImageGenerateParams['size'];
    const [auto, sized] = [await client.images.generate({ ...body, n: 1 }), await client.images.generate({ ...body, size: exact, n: 1 })];
    expect(sized.data![0].b64_json).toBe(auto.data![0].b64_json);
  }, 120_000);

  it('accepts the extensions and the served model id, and reports the settings it used', async () => {
    const { url } = await golden.start();
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    type Reply = OpenAI.ImagesResponse & { maskgen: { seed: number; model: string; settings: Record<string, number | string> } };
    const ask = async (guidance_scale: number) =>
      (await client.images.generate({
        prompt: 'a red fox',
        model: GOLDEN_IDS.vqGenerator,
        guidance_scale,
        steps: 3,
        seed: 5,
      } as OpenAI.ImageGenerateParamsNonStreaming & Ext)) as Reply;
    const a = await ask(2.5);
    expect(a.maskgen).toMatchObject({ seed: 5, model: GOLDEN_IDS.vqGenerator, settings: { guidance: 2.5, steps: 3, numImages: 1 } });
    // The scale reaches the sampler: another scale, same seed, another image.
    const b = await ask(0);
    expect(b.maskgen.settings.guidance).toBe(0);
    expect(b.data![0].b64_json).not.toBe(a.data![0].b64_json);
  }, 120_000);

  it('returns URLs served by the server itself, in memory, and refuses other ids', async () => {
    const { url } = await golden.start();
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const r = await client.images.generate({ prompt: 'a lighthouse', response_format: 'url', seed: 1, steps: 2 } as OpenAI.ImageGenerateParamsNonStreaming &
      Ext);
    const link = r.data![0].url!;
    expect(link.startsWith(`${url}/v1/images/files/`)).toBe(true);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await decodeImage(new Uint8Array(await res.arrayBuffer()))).width).toBeGreaterThan(0);
    for (const bad of ['../../../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '00000000-0000-0000-0000-000000000000.png', 'package.json']) {
      const miss = await fetch(`${url}/v1/images/files/${bad}`);
      expect(miss.status, bad).toBe(404);
      expect((await miss.json()).error.code).toBe('not_found');
    }
  }, 120_000);

  it('streams progress, partial images and the final image as server-sent events', async () => {
    const { url } = await golden.start();
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.images.generate({
      prompt: 'a watercolor fox',
      stream: true,
      partial_images: 2,
      seed: 3,
      steps: 6,
    } as OpenAI.ImageGenerateParamsStreaming & Ext);
    const types: string[] = [];
    let final = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'image_generation.partial_image') expect((await decodeImage(Buffer.from(ev.b64_json, 'base64'))).width).toBeGreaterThan(0);
      if (ev.type === 'image_generation.completed') final = ev.b64_json;
    }
    expect(types.filter((t) => (t as string) === 'maskgen.progress')).toHaveLength(6);
    expect(types.filter((t) => t === 'image_generation.partial_image').length).toBeGreaterThanOrEqual(1);
    expect(types.filter((t) => t === 'image_generation.partial_image').length).toBeLessThanOrEqual(2);
    expect(types.at(-1)).toBe('image_generation.completed');
    const plain = await client.images.generate({ prompt: 'a watercolor fox', seed: 3, steps: 6 } as OpenAI.ImageGenerateParamsNonStreaming & Ext);
    expect(final).toBe(plain.data![0].b64_json);
  }, 120_000);

  it('surfaces OpenAI-shaped errors through the client: unknown field, size, model, token', async () => {
    const { url } = await golden.start({ token: 'sk-right' });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-right', maxRetries: 0 });
    const fail = async (body: object) => {
      try {
        await client.images.generate(body as OpenAI.ImageGenerateParamsNonStreaming);
      } catch (e) {
        return e as InstanceType<typeof OpenAI.APIError>;
      }
      throw new Error('expected a failure');
    };
    const unknown = await fail({ prompt: 'x', quality: 'hd' });
    expect([unknown.status, unknown.code, unknown.param]).toEqual([400, 'unknown_parameter', 'quality']);
    const size = await fail({ prompt: 'x', size: '1024x1024' });
    expect([size.status, size.param]).toEqual([400, 'size']);
    expect(size.message).toMatch(/1024x1024/);
    const model = await fail({ prompt: 'x', model: '/etc/passwd' });
    expect([model.status, model.code]).toEqual([404, 'model_not_found']);
    const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  }, 120_000);
});

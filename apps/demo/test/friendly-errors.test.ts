import { hubStatusError } from '@maskgen/hub';
import { describe, expect, it } from 'vitest';
import { friendlyError, retryLine } from '../src/friendly-errors.js';

const HUB = 'https://hub.example';

/** The library's error for a hub answer carrying this X-Error-Code, exactly as the browser source builds it. */
function hubError(status: number, code?: string) {
  const res = new Response(null, { status, headers: code ? { 'X-Error-Code': code } : {} });
  return hubStatusError(res, HUB, 'acme/model', 'main', 'model.safetensors');
}

describe('friendlyError: hub error codes in the words of the page', () => {
  it.each([
    [401, 'RepoNotFound', 'repo-not-found', 'custom-model', /There is no model “acme\/model” on hub\.example.*Model ▸ custom…/],
    [404, 'EntryNotFound', 'entry-not-found', 'tokenizer', /acme\/model has no file “model\.safetensors”.*“Tokenizer repo”/],
    [403, 'GatedRepo', 'gated', 'token', /gated or private.*“Access token” under “Model source”/],
    [401, undefined, 'gated', 'token', /refused access/],
  ])('HTTP %i %s → %s, pointing at #%s', (status, code, kind, target, text) => {
    const e = hubError(status, code);
    const f = friendlyError(e.code, e.message, HUB, true);
    expect(f).toMatchObject({ kind, target });
    expect(f.text).toMatch(text);
    expect(f.text).not.toMatch(/HF_TOKEN|HF_ENDPOINT|endpoint/); // programmer words stay in the technical detail
  });

  it('no answer at all (down, blocked, or no CORS) names the Model base URL; offline says to connect once', () => {
    const net = friendlyError('NETWORK', 'cannot reach the hub at https://hub.example: fetch failed; set HF_ENDPOINT …', HUB, true);
    expect(net).toMatchObject({ kind: 'unreachable', target: 'hub' });
    expect(net.text).toMatch(/Could not reach hub\.example: .*no CORS.*“Model base URL” under “Model source”/);
    expect(friendlyError('NETWORK', 'fetch failed', HUB, false).kind).toBe('offline');
    expect(friendlyError('OFFLINE', "x is not in this site's cache", HUB, true).text).toMatch(/^You are offline.*Connect once/);
  });

  it('an over-limit model points at Weights; anything else keeps its message', () => {
    const big = friendlyError(
      'RUNTIME_LIMIT',
      "model gen needs 4.40 GiB of weights, above runtime-web's WebAssembly limit of 1.94 GiB; load it with precision: 'int8'",
      HUB,
      true,
    );
    expect(big).toMatchObject({ kind: 'too-big', target: 'precision' });
    expect(big.text).toBe(
      "model gen needs 4.40 GiB of weights, above runtime-web's WebAssembly limit of 1.94 GiB. Choose “int8” under “Weights” (a quarter of the memory), or a smaller model.",
    );
    expect(friendlyError('INVALID_CONFIG', 'bad config', HUB, true)).toEqual({ kind: 'other', text: 'Error: bad config' });
  });

  it('a retry as it happens: the host, the cause without the request line, which attempt and when', () => {
    const r = { attempt: 2, retries: 4, delayMs: 1234, reason: 'HEAD http://127.0.0.1:9/a/b/resolve/main/config.json failed: Failed to fetch' };
    expect(retryLine('http://127.0.0.1:9/', r)).toBe('No answer from 127.0.0.1:9 (Failed to fetch); retrying 2 of 4 in 1.2 s…');
    expect(retryLine('not a url', { ...r, reason: 'timeout' })).toBe('No answer from not a url (timeout); retrying 2 of 4 in 1.2 s…');
  });
});

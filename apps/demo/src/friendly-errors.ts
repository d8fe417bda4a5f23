import type { RetryNotice } from './protocol.js';

/** Where a message sends the person: a control to focus, opening "Model source" first when it lives there. */
export type ErrorTarget = 'hub' | 'custom-model' | 'tokenizer' | 'token' | 'precision';

/** A failure as a person reads it: what happened, in the page's own words, and which control fixes it. */
export interface FriendlyError {
  /** The hub error code or situation it was recognised as (tests and CSS read it from data-kind). */
  kind: 'repo-not-found' | 'entry-not-found' | 'gated' | 'unreachable' | 'offline' | 'too-big' | 'input' | 'other';
  text: string;
  target?: ErrorTarget;
}

/** The hub's host as people read it ("huggingface.co"), or the text as typed when it is no URL. */
function hostOf(hub: string): string {
  try {
    return new URL(hub).host || hub;
  } catch {
    return hub;
  }
}

const SOURCE = '“Model base URL” under “Model source”';

/**
 * Maps the library's errors (whose codes come from the hub's X-Error-Code: RepoNotFound → NOT_FOUND
 * "was not found", EntryNotFound → NOT_FOUND "has no file", GatedRepo/401/403 → UNAUTHORIZED; no answer
 * at all, CORS included, → NETWORK) to messages naming this page's controls. The library's message,
 * written for programmers (HF_ENDPOINT, HF_TOKEN), stays available as the technical detail.
 */
export function friendlyError(code: string | undefined, message: string, hub: string, online = navigator.onLine): FriendlyError {
  const host = hostOf(hub);
  if (code === 'NOT_FOUND' && /was not found/.test(message)) {
    const repo = /repo "([^"]+)"/.exec(message)?.[1] ?? 'this model';
    return {
      kind: 'repo-not-found',
      target: 'custom-model',
      text: `There is no model “${repo}” on ${host}. Check the model id (Model ▸ custom…), or ${SOURCE}. A private repo also needs an “Access token”.`,
    };
  }
  if (code === 'NOT_FOUND') {
    const m = /^(\S+) has no file "([^"]+)"/.exec(message);
    const what = m ? `${m[1]} has no file “${m[2]}”` : 'A file the model needs is missing';
    return {
      kind: 'entry-not-found',
      target: 'tokenizer',
      text: `${what}: it may not be a MaskGen / TA-TiTok repo. Check the model id, or “Tokenizer repo” and “Text encoder repo” under “Model source”.`,
    };
  }
  if (code === 'UNAUTHORIZED') {
    return {
      kind: 'gated',
      target: 'token',
      text: `${host} refused access: the model is gated or private. Accept its licence on the model's page, then paste a read token into “Access token” under “Model source”.`,
    };
  }
  if (code === 'OFFLINE' || (code === 'NETWORK' && !online)) {
    return {
      kind: 'offline',
      text: 'You are offline, and this model is not fully cached yet. Connect once and generate with it; after that it works offline (see “Model cache” below).',
    };
  }
  if (code === 'NETWORK') {
    return {
      kind: 'unreachable',
      target: 'hub',
      text: `Could not reach ${host}: it is down, your network blocks it, or it does not let other sites read its files (no CORS). Check ${SOURCE}: use a mirror that sends CORS headers, or model files served with this page.`,
    };
  }
  if (code === 'RUNTIME_LIMIT') {
    return {
      kind: 'too-big',
      target: 'precision',
      text: `${message.replace(/;.*$/, '')}. Choose “int8” under “Weights” (a quarter of the memory), or a smaller model.`,
    };
  }
  if (code === 'INPUT') return { kind: 'input', text: message };
  return { kind: 'other', text: `Error: ${message}` };
}

/** "No answer from hub.example (timeout); retrying 2 of 4 in 1.0 s…": a retry as it happens, for the status and size lines. */
export function retryLine(hub: string, r: RetryNotice): string {
  const host = hostOf(hub);
  return `No answer from ${host} (${r.reason.replace(/^\w+ \S+ failed: /, '')}); retrying ${r.attempt} of ${r.retries} in ${(r.delayMs / 1000).toFixed(1)} s…`;
}

import { type MaskgenError, type MaskgenErrorCode, isMaskgenError } from '@maskgen/core';
import { expect } from 'vitest';

/**
 * The one way tests check a failure: `action` (a promise, or a function that throws or returns one)
 * must fail with a MaskgenError of `code` whose message matches `message`. Returns the error for
 * further checks (its cause, the bytes read so far, …).
 */
export async function expectMaskgenError(action: Promise<unknown> | (() => unknown), code: MaskgenErrorCode, message?: RegExp): Promise<MaskgenError> {
  let error: unknown;
  let failed = false;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    error = e;
    failed = true;
  }
  expect(failed, `expected a MaskgenError ${code}, but the call succeeded`).toBe(true);
  expect(isMaskgenError(error, code), `expected a MaskgenError ${code}, got ${String(error)}`).toBe(true);
  if (message) expect((error as Error).message).toMatch(message);
  return error as MaskgenError;
}

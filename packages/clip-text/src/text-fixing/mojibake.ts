// Derived from ftfy 6.3 (Apache-2.0, (C) Robyn Speer), rewritten in TypeScript and changed for MaskGen.js; see NOTICE.
import { CODE_PAGE_NAMES, type CodePageName, codePageChar, encodeCodePage } from './code-pages.js';
import { UTF8_DETECTOR, isBad } from './mojibake-heuristic.js';
import { decodeUtf8Strict, decodeUtf8Variants, hasAlteredA0, replaceLossySequences, restoreByteA0 } from './utf8-repair.js';

const UTF8_DETECTOR_ONCE = new RegExp(UTF8_DETECTOR.source, 'u');
const C1 = /[\x80-\x9f]/;
const UNDEFINED_IN_WINDOWS_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** ftfy's fix_c1_controls: C1 control characters read as their Windows-1252 meaning. */
export function fixC1Controls(text: string): string {
  return text.replace(/[\x80-\x9f]/g, (ch) => codePageChar(ch.charCodeAt(0), 'sloppy-windows-1252'));
}

/** The text re-encoded in `page` and decoded as UTF-8 (with ftfy's byte repairs), or null. */
function redecode(text: string, page: CodePageName): string | null {
  let bytes = encodeCodePage(text, page);
  if (!bytes) return null;
  if (page !== 'macroman' && hasAlteredA0(bytes)) bytes = restoreByteA0(bytes);
  if (page.startsWith('sloppy-')) bytes = replaceLossySequences(bytes);
  return bytes.includes(0xed) || bytes.includes(0xc0) ? decodeUtf8Variants(bytes) : decodeUtf8Strict(bytes);
}

/** One step of ftfy's fix_encoding, in ftfy's order of attempts. */
function fixOneStep(text: string): string {
  if (text.length === 0 || !/[^\x00-\x7f]/.test(text) || !isBad(text)) return text;
  // UTF-8 read through a single-byte code page: the commonest case, and usually right when it decodes.
  for (const page of CODE_PAGE_NAMES) {
    const fixed = redecode(text, page);
    if (fixed !== null) return fixed;
  }
  // Mojibake embedded in otherwise correct text: fix each bad run on its own.
  if (UTF8_DETECTOR_ONCE.test(text)) {
    const fixed = text.replace(UTF8_DETECTOR, (run) => (run.length < text.length && isBad(run) ? fixMojibake(run) : run));
    if (fixed !== text) return fixed;
  }
  // Latin-1 text holding C1 controls was meant as Windows-1252 (ftfy tries the strict codec first).
  const latin1 = encodeCodePage(text, 'latin-1');
  if (latin1 && !latin1.some((b) => UNDEFINED_IN_WINDOWS_1252.has(b))) {
    const fixed = fixC1Controls(text);
    if (fixed !== text) return fixed;
  }
  return C1.test(text) ? fixC1Controls(text) : text;
}

/**
 * ftfy's fix_encoding: undoes mojibake (UTF-8 decoded through Latin-1, the Windows code pages
 * 1250–1257, ISO-8859-2, MacRoman or CP437), whole-text or embedded, repeated until stable.
 */
export function fixMojibake(text: string): string {
  for (let i = 0; i < 32; i++) {
    const next = fixOneStep(text);
    if (next === text) return text;
    text = next;
  }
  return text;
}

import { deflateSync } from 'node:zlib';

function crc(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk with its length and CRC. */
export function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(body));
  return Buffer.concat([len, body, c]);
}

/**
 * A PNG writer for fixtures, independent of the decoder under test: `rows` are the stored scanline
 * bytes (already packed for the bit depth), each prefixed with `filter`; `idat` overrides the data.
 */
export function png(
  w: number,
  h: number,
  color: number,
  rows: number[][],
  opts: { depth?: number; plte?: number[]; trns?: number[]; filter?: number; interlace?: number; idat?: Buffer } = {},
): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([opts.depth ?? 8, color, 0, 0, opts.interlace ?? 0], 8);
  const raw = Buffer.concat(rows.map((r) => Buffer.from([opts.filter ?? 0, ...r])));
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', ihdr),
      ...(opts.plte ? [chunk('PLTE', Buffer.from(opts.plte))] : []),
      ...(opts.trns ? [chunk('tRNS', Buffer.from(opts.trns))] : []),
      chunk('IDAT', opts.idat ?? deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

/** Splits 8-bit samples into rows of `w * ch` values (the common case of `png`). */
export function rows8(w: number, h: number, ch: number, px: number[]): number[][] {
  return Array.from({ length: h }, (_, y) => px.slice(y * w * ch, (y + 1) * w * ch));
}

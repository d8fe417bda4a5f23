export { encodePng } from '@maskgen/image';
export { fsError, writeAtomic } from '@maskgen/queue/output-folder';

/** Lays images out in a near-square grid (for `--grid`). */
export function gridImage(images: readonly { width: number; height: number; data: Uint8Array }[]): { width: number; height: number; data: Uint8Array } {
  const cols = Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / cols);
  const { width: w, height: h } = images[0];
  const data = new Uint8Array(cols * w * rows * h * 4);
  images.forEach((img, i) => {
    const ox = (i % cols) * w;
    const oy = Math.floor(i / cols) * h;
    for (let y = 0; y < h; y++) data.set(img.data.subarray(y * w * 4, (y + 1) * w * 4), ((oy + y) * cols * w + ox) * 4);
  });
  return { width: cols * w, height: rows * h, data };
}

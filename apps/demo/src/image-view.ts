import type { Pixels } from './protocol.js';

/**
 * Draws pixels 1:1 into a canvas (CSS scales it up with `image-rendering: pixelated`), so what the
 * canvas holds is exactly what the pipeline produced and can be read back bit-for-bit.
 */
export function drawPixels(canvas: HTMLCanvasElement, img: Pixels): void {
  if (img.data.length !== img.width * img.height * 4) {
    throw new Error(`image: ${img.data.length} bytes do not hold ${img.width}x${img.height} RGBA pixels`);
  }
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser gave no 2D canvas context');
  const data = new Uint8ClampedArray(img.data.buffer as ArrayBuffer, img.data.byteOffset, img.data.byteLength);
  ctx.putImageData(new ImageData(data, img.width, img.height), 0, 0);
}

/** The PNG of a canvas as an object URL (for the download link). */
function pngUrl(canvas: HTMLCanvasElement): Promise<string> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(URL.createObjectURL(blob)) : reject(new Error('could not encode the PNG'))), 'image/png');
  });
}

const urls: string[] = [];

/** Replaces the result gallery with the final images, each with a PNG download link. */
export async function showResults(container: HTMLElement, images: readonly Pixels[], seed: number, prompts: readonly string[] = []): Promise<void> {
  for (const u of urls.splice(0)) URL.revokeObjectURL(u);
  container.replaceChildren();
  for (const [i, img] of images.entries()) {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.className = 'pixelated final-image';
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', prompts[i] ?? prompts[0] ?? `Generated image ${i + 1}`);
    drawPixels(canvas, img);
    const link = document.createElement('a');
    const url = await pngUrl(canvas);
    urls.push(url);
    link.href = url;
    link.download = `maskgen-seed${seed}-${i}.png`;
    link.className = 'download';
    link.textContent = `Download PNG (${img.width}×${img.height})`;
    const caption = document.createElement('figcaption');
    caption.append(link);
    figure.append(canvas, caption);
    container.append(figure);
  }
}

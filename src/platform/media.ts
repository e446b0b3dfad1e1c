// Uploaded images: the type is read from the bytes (PNG, JPEG, WebP, GIF; SVG and anything else
// refused), the size is capped, and every image is re-encoded by sharp to WebP, so what we serve is
// never the bytes someone sent. Files live under DATA_DIR/media, named by their content hash (so one
// file may serve several owners: files are never deleted on replace).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputInfo } from 'sharp';
import { ValidationError } from './errors.ts';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export type ImageKind = 'png' | 'jpeg' | 'webp' | 'gif';

/** The image type the bytes say, or null. */
export function sniffImage(bytes: Buffer): ImageKind | null {
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 12 &&
    bytes.toString('ascii', 0, 4) === 'RIFF' &&
    bytes.toString('ascii', 8, 12) === 'WEBP'
  )
    return 'webp';
  if (
    bytes.length >= 6 &&
    (bytes.toString('ascii', 0, 6) === 'GIF87a' || bytes.toString('ascii', 0, 6) === 'GIF89a')
  )
    return 'gif';
  return null;
}

export interface StoredImage {
  path: string;
  width: number;
  height: number;
}

export interface MediaStore {
  /** Validates, re-encodes and stores an image; `field` names the input in errors. */
  saveImage(
    field: string,
    bytes: Buffer,
    options: { maxWidth: number; maxHeight: number },
  ): Promise<StoredImage>;
  root: string;
}

/** Each side, and the pixels, an upload may have: checked from the header, before anything is decoded. */
export const MAX_IMAGE_SIDE = 10_000;
export const MAX_IMAGE_PIXELS = 25_000_000;
// Decoding is CPU work: at most this many at once, so a burst of large images cannot stall every request.
const DECODES_AT_ONCE = 2;

export function createMediaStore(dataDir: string): MediaStore {
  const root = join(dataDir, 'media');
  mkdirSync(root, { recursive: true });
  let decoding = 0;
  const waiting: (() => void)[] = [];
  async function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    if (decoding >= DECODES_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
    decoding += 1;
    try {
      return await work();
    } finally {
      decoding -= 1;
      waiting.shift()?.();
    }
  }
  return {
    root,
    async saveImage(field, bytes, options) {
      if (bytes.length === 0) throw ValidationError.field(field, 'is empty');
      if (bytes.length > MAX_UPLOAD_BYTES)
        throw ValidationError.field(field, `must be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
      if (!sniffImage(bytes)) throw ValidationError.field(field, 'must be a PNG, JPEG, WebP or GIF image');
      // sharp (libvips) is loaded with the first upload, not at start: most requests never need it.
      const { default: sharp } = await import('sharp');
      let size: { width?: number; height?: number };
      try {
        size = await sharp(bytes).metadata();
      } catch {
        throw ValidationError.field(field, 'is not a readable image');
      }
      const width = size.width ?? 0;
      const height = size.height ?? 0;
      if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
        throw ValidationError.field(
          field,
          `must be at most ${MAX_IMAGE_SIDE} pixels on each side and ${MAX_IMAGE_PIXELS / 1_000_000} megapixels`,
        );
      }
      let output: { data: Buffer; info: OutputInfo };
      try {
        output = await oneAtATime(() =>
          sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS })
            .rotate()
            .resize({
              width: options.maxWidth,
              height: options.maxHeight,
              fit: 'inside',
              withoutEnlargement: true,
            })
            .webp({ quality: 82 })
            .toBuffer({ resolveWithObject: true }),
        );
      } catch {
        // sharp refuses a corrupt or hostile file; to the uploader it is simply not an image we can use.
        throw ValidationError.field(field, 'is not a readable image');
      }
      const hash = createHash('sha256').update(output.data).digest('hex').slice(0, 32);
      const path = `${hash.slice(0, 2)}/${hash}.webp`;
      await mkdir(join(root, hash.slice(0, 2)), { recursive: true });
      await writeFile(join(root, path), output.data);
      return { path, width: output.info.width, height: output.info.height };
    },
  };
}

/**
 * Image uploads arrive as their raw bytes: Content-Type image/… or application/octet-stream, with any
 * parameters (`image/png; charset=binary`).
 */
export const IMAGE_BODY_TYPES = /^(image\/[\w.+-]+|application\/octet-stream)\s*(;.*)?$/i;

/** A stored file's path, as saving names it: its content hash, re-encoded as WebP. */
const STORED_PATH = /^[0-9a-f]{2}\/[0-9a-f]{32}\.webp$/;

/** Whether `path` (relative to the media store) names a stored file. */
export function isStoredPath(path: string): boolean {
  return STORED_PATH.test(path);
}

/** Whether `url` is the public URL of a stored file (an image uploaded here). */
export function isMediaUrl(url: string): boolean {
  return url.startsWith('/media/') && isStoredPath(url.slice('/media/'.length));
}

/** The public URL of a stored file. */
export function mediaUrl(path: string | null): string | null {
  return path ? `/media/${path}` : null;
}

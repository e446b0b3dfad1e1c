// Uploaded images: the type is read from the bytes (PNG, JPEG, WebP, GIF; SVG and anything else
// refused), the size is capped, and every image is re-encoded by sharp to WebP, so what we serve is
// never the bytes someone sent. Files live under DATA_DIR/media, named by their content hash (so one
// file may serve several owners: files are never deleted on replace).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
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

export function createMediaStore(dataDir: string): MediaStore {
  const root = join(dataDir, 'media');
  mkdirSync(root, { recursive: true });
  return {
    root,
    async saveImage(field, bytes, options) {
      if (bytes.length === 0) throw ValidationError.field(field, 'is empty');
      if (bytes.length > MAX_UPLOAD_BYTES)
        throw ValidationError.field(field, `must be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
      if (!sniffImage(bytes)) throw ValidationError.field(field, 'must be a PNG, JPEG, WebP or GIF image');
      let output: { data: Buffer; info: OutputInfo };
      try {
        output = await sharp(bytes, { limitInputPixels: 40_000_000 })
          .rotate()
          .resize({
            width: options.maxWidth,
            height: options.maxHeight,
            fit: 'inside',
            withoutEnlargement: true,
          })
          .webp({ quality: 82 })
          .toBuffer({ resolveWithObject: true });
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

/** The public URL of a stored file. */
export function mediaUrl(path: string | null): string | null {
  return path ? `/media/${path}` : null;
}

// The public pages' stylesheet and script, each served under a hash of its content (cached for a year):
// read once per process, shared by the offer pages and the branded error pages.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../platform/paths.ts';
import type { PageAssets } from './offer-pages.tsx';

const pagesDir = join(projectRoot, 'src', 'pages');

export interface Fingerprinted {
  body: Buffer;
  hash: string;
}

function fingerprinted(file: string): Fingerprinted {
  const body = readFileSync(join(pagesDir, file));
  return { body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

let files: { css: Fingerprinted; script: Fingerprinted } | undefined;

/** The two files and the URLs pages link them by. */
export function publicPageFiles(): { css: Fingerprinted; script: Fingerprinted; assets: PageAssets } {
  files ??= { css: fingerprinted('pages.css'), script: fingerprinted('offer-page.client.js') };
  return {
    ...files,
    assets: {
      cssUrl: `/public/pages.${files.css.hash}.css`,
      scriptUrl: `/public/offer-page.${files.script.hash}.js`,
    },
  };
}

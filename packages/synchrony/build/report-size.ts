/**
 * A Vite plugin that prints the size of each script it writes, minified and gzipped (level 9,
 * as `gzip -9`), so that every build shows what a page pays for the drop-in script.
 */
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Bytes of `code` gzipped at level 9. */
export function gzippedBytes(code: string | Uint8Array): number {
  return gzipSync(code, { level: 9 }).byteLength;
}

/** `12345` → `12.1 KiB`. */
export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The plugin; see the file comment. */
export function reportSize(): Plugin {
  return {
    name: 'synchrony:report-size',
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        const bytes = new TextEncoder().encode(output.code).byteLength;
        console.log(`${output.fileName}: ${kib(bytes)} minified, ${kib(gzippedBytes(output.code))} gzipped`);
      }
    },
  };
}

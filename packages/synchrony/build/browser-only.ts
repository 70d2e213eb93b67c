/**
 * A Vite (Rolldown) plugin that fails the build of a browser bundle, loudly, when Node code gets
 * in: a `node:` module or a Node built-in (`events`, `buffer`, `stream`...: the names of the
 * polyfill packages too, which the bundle must not need), `ws`, or `@roamhq/wrtc`. Two nets: the
 * import itself, when the bundler resolves it; and the output text, which also catches what no
 * resolution shows (a dynamic import of a computed name, Vite's stub for an externalized built-in).
 */
import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

/** Packages that exist for Node only: the WebRTC and WebSocket implementations of @synchrony/webrtc. */
const NODE_ONLY_PACKAGES: readonly string[] = ['ws', '@roamhq/wrtc'];

/** Text that must not appear in the bundle, with what it means when it does. */
const FORBIDDEN_TEXT: ReadonlyArray<readonly [RegExp, string]> = [
  [/@roamhq\/wrtc/, 'the name of @roamhq/wrtc (Node-only WebRTC)'],
  [/["'`]ws["'`]/, "the specifier 'ws' (Node-only WebSocket)"],
  [/["'`]node:[a-z_/]+["'`]/, 'a node: specifier'],
  [/__vite-browser-external/, 'a Node built-in that Vite replaced by an empty stub'],
  [/\bimport\s*\(/, 'a dynamic import, which a drop-in script cannot make'],
];

/** The bare package name of a specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Why `specifier` has no place in a browser bundle, or undefined when it has. */
export function nodeOnlyReason(specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return 'a node: module';
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('\0')) return undefined;
  const name = packageName(specifier);
  if (NODE_ONLY_PACKAGES.includes(name)) return 'a Node-only package';
  if (builtinModules.includes(name)) return 'a Node built-in (or its polyfill package)';
  return undefined;
}

/** What in `code` betrays Node code, one line per finding. */
export function nodeTraces(code: string): string[] {
  return FORBIDDEN_TEXT.filter(([pattern]) => pattern.test(code)).map(([pattern, what]) => `${what} (${String(pattern)})`);
}

/** The plugin; see the file comment. */
export function browserOnly(): Plugin {
  return {
    name: 'synchrony:browser-only',
    enforce: 'pre',
    resolveId(specifier, importer) {
      const reason = nodeOnlyReason(specifier);
      if (reason !== undefined) {
        this.error(`'${specifier}', ${reason}, imported by ${importer ?? 'the entry'}: it has no place in a browser bundle`);
      }
      return null;
    },
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        const traces = nodeTraces(output.code);
        if (traces.length > 0) this.error(`${output.fileName} carries Node code: ${traces.join('; ')}`);
      }
    },
  };
}

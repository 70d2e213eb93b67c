/**
 * simple-peer for browser bundles, chosen by the `browser` condition of the `#simple-peer` import
 * (package.json `imports`), which Vite, esbuild, Rollup and webpack apply when they build for the
 * browser. Its CommonJS entry needs Node's `global`, `Buffer`, `process.nextTick` and `events`,
 * which bundlers do not provide (a plain Vite build fails in the page with `global is not
 * defined`). The package's own browser build, `simplepeer.min.js`, is the same code bundled with
 * browserify's shims for exactly those, kept inside its closure: no polyfill package, no global.
 */
import type NodeSimplePeer from 'simple-peer';
// @ts-expect-error simple-peer's types describe its main entry only; the browser build is the same class.
import BrowserSimplePeer from 'simple-peer/simplepeer.min.js';

/** The `SimplePeer` class, typed as the main entry (it is the same code). */
const SimplePeer = BrowserSimplePeer as typeof NodeSimplePeer;
export default SimplePeer;

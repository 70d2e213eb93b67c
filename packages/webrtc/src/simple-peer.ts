/**
 * simple-peer for Node (and any runtime that is not a browser bundle): its CommonJS entry, which
 * uses Node's own `Buffer`, `process.nextTick` and streams. Chosen by the `default` condition of
 * the `#simple-peer` import (package.json `imports`); browser bundles get simple-peer.browser.ts.
 */
export { default } from 'simple-peer';

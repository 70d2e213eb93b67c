/**
 * Lint rules that the type checker does not enforce: promises are awaited or explicitly voided,
 * and the layers stay visible (core depends on nothing platform-specific; objects on the core
 * only; store-idb on the core and idb only; the simulator not on the real network). `npm run lint`;
 * `npm test` runs it first.
 */
import tseslint from 'typescript-eslint';

/** Imports the sans-IO core must never make: it runs in any driver, browser or Node. */
const PLATFORM = ['node:*', 'fs', 'net', 'ws', 'simple-peer', '@roamhq/wrtc', '@synchrony/webrtc', '@synchrony/sim', '@synchrony/signaling-server'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/testing/**'], // the conformance suite runs real transports, on real time
    rules: {
      'no-restricted-imports': ['error', { patterns: PLATFORM.map((group) => ({ group: [group], message: 'core is sans-IO and platform-free' })) }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'window', 'document', 'process'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }, { object: 'Math', property: 'random' }],
    },
  },
  {
    // Replicated objects are deterministic reducers on top of a group: the core is all they may use.
    files: ['packages/objects/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!@synchrony/core$|\\.{1,2}/)', message: 'objects import @synchrony/core only (and their own files)' }] }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'window', 'document', 'process'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }, { object: 'Math', property: 'random' }],
    },
  },
  {
    // The IndexedDB store is an adapter of the core's GroupStore: the core and idb are all it may use.
    files: ['packages/store-idb/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!@synchrony/core$|idb$|\\.{1,2}/)', message: 'store-idb imports @synchrony/core and idb only (and its own files)' }] }],
    },
  },
  {
    files: ['packages/sim/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@synchrony/webrtc', 'simple-peer', 'ws', '@roamhq/wrtc'], message: 'the simulator does not touch the real network' }] }],
    },
  },
);

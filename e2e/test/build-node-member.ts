/**
 * Builds the Node member process (e2e/node/member-process.ts) with Vite for Node, into
 * e2e/dist-node, and returns the script to fork. Its imports of the workspace packages and their
 * dependencies stay imports (resolved from node_modules at run time: `tsc -b` must have run).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ENTRY = fileURLToPath(new URL('../node/member-process.ts', import.meta.url));
const OUT_DIR = fileURLToPath(new URL('../dist-node', import.meta.url));

/** Builds the member process and resolves with the path of its script. */
export async function buildNodeMember(): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'warn',
    ssr: { external: true },
    build: {
      ssr: ENTRY,
      outDir: OUT_DIR,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      sourcemap: true,
      rollupOptions: { output: { format: 'es', entryFileNames: 'member-process.js' } },
    },
  });
  return `${OUT_DIR}/member-process.js`;
}

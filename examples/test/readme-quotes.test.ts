/**
 * Documentation that runs: every example a README quotes under `<!-- example: path -->` is that
 * file, byte for byte (the files are what the other tests here run), and the root README quotes
 * every example program.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findQuotes, quoteMismatch } from './readme-quotes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The examples the root README must quote. */
const ROOT_README_EXAMPLES = [
  'examples/drop-in-counter/index.html',
  'examples/esm-counter/main.js',
  'examples/node-group.js',
  'examples/simulator.js',
];

/** README.md at the root, in each top-level folder and in each package (not in node_modules). */
function readmes(): string[] {
  const folders = ['.', ...readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .map((entry) => entry.name)];
  const packages = readdirSync(join(ROOT, 'packages')).map((name) => join('packages', name));
  return [...folders, ...packages].map((folder) => join(folder, 'README.md')).filter((path) => existsSync(join(ROOT, path)));
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

describe('README examples', () => {
  it('quote their files byte for byte', () => {
    const quotes = readmes().flatMap((readme) => findQuotes(readFileSync(join(ROOT, readme), 'utf8'), readme));
    const mismatches = quotes.map((quote) => quoteMismatch(quote, readIfExists(join(ROOT, quote.target)))).filter((m) => m !== undefined);
    expect(mismatches).toEqual([]);
    expect(quotes.filter((quote) => quote.readme === 'README.md').map((quote) => quote.target)).toEqual(expect.arrayContaining(ROOT_README_EXAMPLES));
  });

  it('are looked for in every README of the repository', () => {
    expect(readmes()).toEqual(expect.arrayContaining(['README.md', 'examples/README.md', 'e2e/README.md', 'packages/synchrony/README.md']));
  });
});

describe('findQuotes and quoteMismatch', () => {
  const markdown = [
    'Text.',
    '<!-- example: examples/a.js -->',
    '````js',
    'const fence = "```";',
    '````',
    '<!-- example: a-region -->',
    '```ts',
    'left to its package',
    '```',
    '````md',
    '<!-- example: examples/shown-not-quoted.js -->',
    '```js',
    '```',
    '````',
  ].join('\n');

  it('find a quote, with a longer fence around a shorter one; leave region names and markers inside code alone', () => {
    expect(findQuotes(markdown, 'R.md')).toEqual([{ readme: 'R.md', line: 2, target: 'examples/a.js', body: 'const fence = "```";' }]);
  });

  it('refuse a marker with no block under it, and a block never closed', () => {
    expect(() => findQuotes('<!-- example: x/y.js -->\n\n```js\n```\n', 'R.md')).toThrow(/R\.md:1: .* not followed by a fenced code block/);
    expect(() => findQuotes('<!-- example: x/y.js -->\n```js\nno end\n', 'R.md')).toThrow(/R\.md:1: .* never closed/);
  });

  it('tell exact quotes from stale ones, and name the first line that differs', () => {
    const [quote] = findQuotes(markdown, 'R.md');
    expect(quoteMismatch(quote!, 'const fence = "```";\n')).toBeUndefined();
    expect(quoteMismatch(quote!, 'const fence = "```";')).toMatch(/differs at its line 2/); // no final newline
    expect(quoteMismatch(quote!, 'const fence = "~~~";\n')).toMatch(/differs at its line 1:\n {2}README: "const fence = \\"```\\";"/);
    expect(quoteMismatch(quote!, undefined)).toMatch(/does not exist/);
  });
});

/**
 * Finds the examples a README quotes. The convention (examples/README.md, "Contributing"): a
 * fenced code block right after a line `<!-- example: path/from/the/repository/root -->` is that
 * file, byte for byte (the block's lines, then a newline, are the file's whole content).
 *
 * A marker whose target has no `/` is not a path but a region name, a package's own convention
 * checked by that package's test (packages/objects: `<!-- example: lock -->`); it is left alone.
 * Such a test reads the region with {@link exampleRegion} (packages/core and packages/sim do).
 */

/** One quoted example. */
export interface Quote {
  /** The README, as given to {@link findQuotes}. */
  readonly readme: string;
  /** 1-based line of the marker. */
  readonly line: number;
  /** The quoted file, relative to the repository root. */
  readonly target: string;
  /** The block's content: its lines joined by newlines, without the fences. */
  readonly body: string;
}

const MARKER = /^<!-- example: (\S+) -->$/;
const FENCE = /^(`{3,}|~{3,})[^`]*$/;

/**
 * The quotes of `markdown`; throws, naming the line, on a marker that no complete block follows.
 * A marker inside a code block is text, not a marker (this convention's own documentation shows one).
 */
export function findQuotes(markdown: string, readme: string): Quote[] {
  const lines = markdown.split('\n');
  const quotes: Quote[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const opening = FENCE.exec(lines[i]!)?.[1];
    if (opening !== undefined) {
      i = closingLine(lines, i, opening) ?? lines.length; // an unclosed block runs to the end
      continue;
    }
    const target = MARKER.exec(lines[i]!)?.[1];
    if (target === undefined || !target.includes('/')) continue;
    const fence = FENCE.exec(lines[i + 1] ?? '')?.[1];
    if (fence === undefined) throw new Error(`${readme}:${i + 1}: the example marker for ${target} is not followed by a fenced code block`);
    const end = closingLine(lines, i + 1, fence);
    if (end === undefined) throw new Error(`${readme}:${i + 1}: the code block quoting ${target} is never closed`);
    quotes.push({ readme, line: i + 1, target, body: lines.slice(i + 2, end).join('\n') });
    i = end;
  }
  return quotes;
}

/** The line that closes the block opened at `start` by `fence`, as CommonMark closes it; undefined if none. */
function closingLine(lines: readonly string[], start: number, fence: string): number | undefined {
  const closing = new RegExp(`^${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
  const end = lines.findIndex((line, j) => j > start && closing.test(line));
  return end === -1 ? undefined : end;
}

/**
 * Why `quote` is not the file's content (`file` undefined: there is no such file), or undefined
 * when it is exactly.
 */
export function quoteMismatch(quote: Quote, file: string | undefined): string | undefined {
  const where = `${quote.readme}:${quote.line} quotes ${quote.target}`;
  if (file === undefined) return `${where}, which does not exist`;
  if (`${quote.body}\n` === file) return undefined;
  const quoted = `${quote.body}\n`.split('\n');
  const actual = file.split('\n');
  const line = quoted.findIndex((text, i) => text !== actual[i]);
  const at = line === -1 ? actual.length : line;
  return `${where}, but differs at its line ${at + 1}:\n  README: ${JSON.stringify(quoted[at])}\n  file:   ${JSON.stringify(actual[at])}`;
}

/**
 * The region `name` of an examples file (`source`: the lines between `// #region name` and
 * `// #endregion name`), without its common indentation: the text a README quotes under
 * `<!-- example: name -->`. Throws when there is no such region.
 */
export function exampleRegion(source: string, name: string): string {
  const match = new RegExp(`// #region ${name}\\n([\\s\\S]*?)\\n\\s*// #endregion ${name}`).exec(source);
  if (match === null) throw new Error(`no region ${name}`);
  const lines = match[1]!.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** The block a README must hold for the region `name` of `source`: the marker, then the region in a `ts` fence. */
export function regionQuote(source: string, name: string): string {
  return `<!-- example: ${name} -->\n\`\`\`ts\n${exampleRegion(source, name)}\n\`\`\``;
}

/**
 * A sequence indexed by position, for lists of 100,000 items: a B+ tree whose leaves hold up to
 * {@link MAX_ENTRIES} items and whose branches know how many items lie below each child. Reading,
 * inserting or removing at an index walks one path from the root: O(log n) nodes, each scanned in
 * O(MAX_ENTRIES), where a plain array would move O(n) items on every insert or remove.
 *
 * Every node but the root holds between {@link MIN_ENTRIES} and {@link MAX_ENTRIES} entries (items
 * in a leaf, children in a branch): a full node splits in two, a node that falls under the minimum
 * takes entries from a neighbour, or merges with it when both fit in one.
 */

/** Entries of a node, at most. */
export const MAX_ENTRIES = 64;
/** Entries of a node other than the root, at least. */
export const MIN_ENTRIES = MAX_ENTRIES / 4;
/** Entries per node when a tree is built at once (from a checkpoint). */
const BUILD_ENTRIES = (MAX_ENTRIES * 3) / 4;

interface Leaf<T> {
  readonly leaf: true;
  items: T[];
}

interface Branch<T> {
  readonly leaf: false;
  children: Array<Node<T>>;
  /** Items below. */
  size: number;
}

type Node<T> = Leaf<T> | Branch<T>;

const sizeOf = <T>(node: Node<T>): number => (node.leaf ? node.items.length : node.size);
const entriesOf = <T>(node: Node<T>): number => (node.leaf ? node.items.length : node.children.length);
const sum = <T>(nodes: ReadonlyArray<Node<T>>): number => nodes.reduce((total, n) => total + sizeOf(n), 0);
const branch = <T>(children: Array<Node<T>>): Branch<T> => ({ leaf: false, children, size: sum(children) });

/** Splits `entries` into `parts` runs of nearly equal length (differing by one at most). */
function evenly<E>(entries: readonly E[], parts: number): E[][] {
  const out: E[][] = [];
  for (let i = 0, start = 0; i < parts; i++) {
    const end = Math.round(((i + 1) * entries.length) / parts);
    out.push(entries.slice(start, end));
    start = end;
  }
  return out;
}

/** A sequence of items with O(log n) access, insertion and removal by index. */
export class ItemTree<T> {
  private root: Node<T> = { leaf: true, items: [] };

  /** A tree of `items`, in order, built in O(n). */
  static from<T>(items: readonly T[]): ItemTree<T> {
    const tree = new ItemTree<T>();
    if (items.length === 0) return tree;
    let level: Array<Node<T>> = evenly(items, Math.ceil(items.length / BUILD_ENTRIES)).map((run) => ({ leaf: true, items: run }));
    while (level.length > 1) level = evenly(level, Math.ceil(level.length / BUILD_ENTRIES)).map(branch);
    tree.root = level[0]!;
    return tree;
  }

  /** How many items. */
  get length(): number {
    return sizeOf(this.root);
  }

  /** The item at `index` (0 ≤ index < length), or undefined. */
  get(index: number): T | undefined {
    if (!(index >= 0 && index < this.length)) return undefined;
    let node = this.root;
    while (!node.leaf) {
      let i = 0;
      while (index >= sizeOf(node.children[i]!)) index -= sizeOf(node.children[i++]!);
      node = node.children[i]!;
    }
    return node.items[index];
  }

  /** Inserts `item` before position `index` (0 ≤ index ≤ length; `length` appends). */
  insert(index: number, item: T): void {
    if (!(index >= 0 && index <= this.length)) throw new RangeError(`insert at ${index} in a sequence of ${this.length}`);
    const split = this.insertIn(this.root, index, item);
    if (split !== undefined) this.root = branch([this.root, split]);
  }

  /** Removes the item at `index` (0 ≤ index < length) and returns it. */
  remove(index: number): T {
    if (!(index >= 0 && index < this.length)) throw new RangeError(`remove at ${index} in a sequence of ${this.length}`);
    const item = this.removeIn(this.root, index);
    if (!this.root.leaf && this.root.children.length === 1) this.root = this.root.children[0]!;
    return item;
  }

  /** The items, in order, as a new array: O(n). */
  toArray(): T[] {
    const out: T[] = [];
    const walk = (node: Node<T>): void => {
      if (node.leaf) for (const item of node.items) out.push(item);
      else for (const child of node.children) walk(child);
    };
    walk(this.root);
    return out;
  }

  /** The tree's height (1: a single leaf), for the tests of its shape. */
  get height(): number {
    let height = 1;
    for (let node = this.root; !node.leaf; node = node.children[0]!) height += 1;
    return height;
  }

  /** Checks the invariants (sizes, fill, equal depth); returns what is wrong, for the tests. */
  check(): string | undefined {
    const depth = this.height;
    const visit = (node: Node<T>, level: number, isRoot: boolean): string | undefined => {
      const entries = entriesOf(node);
      if (entries > MAX_ENTRIES || (!isRoot && entries < MIN_ENTRIES)) return `a node of ${entries} entries at level ${level}`;
      if (node.leaf) return level === depth ? undefined : `a leaf at level ${level} of ${depth}`;
      if (node.size !== sum(node.children)) return `a branch that counts ${node.size} items of ${sum(node.children)}`;
      for (const child of node.children) {
        const wrong = visit(child, level + 1, false);
        if (wrong !== undefined) return wrong;
      }
      return undefined;
    };
    return visit(this.root, 1, true);
  }

  /** Inserts below `node`; returns the new right sibling if `node` split. */
  private insertIn(node: Node<T>, index: number, item: T): Node<T> | undefined {
    if (node.leaf) {
      node.items.splice(index, 0, item);
      return node.items.length > MAX_ENTRIES ? { leaf: true, items: node.items.splice(MAX_ENTRIES / 2) } : undefined;
    }
    let i = 0;
    while (i < node.children.length - 1 && index > sizeOf(node.children[i]!)) index -= sizeOf(node.children[i++]!);
    node.size += 1;
    const split = this.insertIn(node.children[i]!, index, item);
    if (split === undefined) return undefined;
    node.children.splice(i + 1, 0, split);
    if (node.children.length <= MAX_ENTRIES) return undefined;
    const right = branch(node.children.splice(MAX_ENTRIES / 2));
    node.size -= right.size;
    return right;
  }

  private removeIn(node: Node<T>, index: number): T {
    if (node.leaf) return node.items.splice(index, 1)[0]!;
    let i = 0;
    while (index >= sizeOf(node.children[i]!)) index -= sizeOf(node.children[i++]!);
    node.size -= 1;
    const child = node.children[i]!;
    const item = this.removeIn(child, index);
    if (entriesOf(child) < MIN_ENTRIES) this.refill(node, i);
    return item;
  }

  /** Child `i` of `parent` fell under the minimum: merge it with a neighbour, or even them out. */
  private refill(parent: Branch<T>, i: number): void {
    const left = i > 0 ? i - 1 : i;
    const a = parent.children[left]!;
    const b = parent.children[left + 1];
    if (b === undefined) return; // an only child: the root collapses onto it
    if (entriesOf(a) + entriesOf(b) <= MAX_ENTRIES) {
      if (a.leaf && b.leaf) a.items.push(...b.items);
      else if (!a.leaf && !b.leaf) {
        a.children.push(...b.children);
        a.size += b.size;
      }
      parent.children.splice(left + 1, 1);
      return;
    }
    if (a.leaf && b.leaf) {
      const [first, second] = evenly([...a.items, ...b.items], 2);
      a.items = first!;
      b.items = second!;
    } else if (!a.leaf && !b.leaf) {
      const [first, second] = evenly([...a.children, ...b.children], 2);
      a.children = first!;
      b.children = second!;
      a.size = sum(a.children);
      b.size = sum(b.children);
    }
  }
}

/**
 * Friendly names: a room name for a fresh link, a name for each tab, a colour for each name.
 */

const ADJECTIVES = [
  'amber', 'brisk', 'calm', 'dusky', 'eager', 'fuzzy', 'gentle', 'hazel', 'icy', 'jolly', 'keen', 'lucky',
  'mellow', 'nimble', 'olive', 'plucky', 'quiet', 'rosy', 'sunny', 'tidy', 'upbeat', 'vivid', 'witty', 'zesty',
];
const ANIMALS = [
  'otter', 'badger', 'heron', 'lynx', 'panda', 'gecko', 'koala', 'marten', 'newt', 'orca', 'puffin', 'quokka',
  'raven', 'seal', 'tapir', 'urchin', 'vole', 'walrus', 'yak', 'zebra', 'finch', 'ibis', 'moose', 'lemur',
];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

const capitalise = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** A fresh room name such as `calm-otter-42`: easy to read out, unlikely to collide. */
export function freshRoomName(): string {
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}-${Math.floor(10 + Math.random() * 90)}`;
}

/** A person's name such as `Calm Otter`. */
export function freshPersonName(): string {
  return `${capitalise(pick(ADJECTIVES))} ${capitalise(pick(ANIMALS))}`;
}

/** Room names travel in URLs and group names: letters, digits, `-` and `_`, at most 48. */
export function cleanRoomName(raw: string): string {
  return raw.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48);
}

/** A person's name as shown: trimmed, at most 24 characters, never empty. */
export function cleanPersonName(raw: string, fallback: string): string {
  const name = raw.replace(/\s+/g, ' ').trim().slice(0, 24);
  return name.length > 0 ? name : fallback;
}

/** A stable, readable colour for a name or id (the same on every page). */
export function colourOf(key: string): string {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  const hue = (hash >>> 0) % 360;
  return `hsl(${hue} 65% 42%)`;
}

/** Two letters for an avatar: `Calm Otter` gives `CO`. */
export function initialsOf(name: string): string {
  const words = name.split(' ').filter((w) => w.length > 0);
  return words.slice(0, 2).map((w) => w.charAt(0).toUpperCase()).join('') || '?';
}

/**
 * Who this tab is: a display name and an author key, kept in sessionStorage, so each tab is its own
 * person (two tabs side by side show two names) and a reload keeps both.
 */
import { cleanPersonName, freshPersonName } from './names.js';

const NAME_KEY = 'synchrony-demo:name';
const AUTHOR_KEY = 'synchrony-demo:author';

function stored(key: string, make: () => string): string {
  try {
    const existing = sessionStorage.getItem(key);
    if (existing !== null && existing.length > 0) return existing;
    const made = make();
    sessionStorage.setItem(key, made);
    return made;
  } catch {
    return make(); // storage refused (a sandboxed frame): a name for this load only
  }
}

/** This tab's display name. */
export function loadName(): string {
  return stored(NAME_KEY, freshPersonName);
}

/** Keeps a new display name; returns it cleaned. */
export function saveName(raw: string, fallback: string): string {
  const name = cleanPersonName(raw, fallback);
  try {
    sessionStorage.setItem(NAME_KEY, name);
  } catch {
    // kept for this load only
  }
  return name;
}

/**
 * A key for the strokes this tab draws, kept across reloads (a reload is a new process and a new
 * member id, but the same person, who may still undo their own strokes).
 */
export function loadAuthorKey(): string {
  return stored(AUTHOR_KEY, () => Math.random().toString(36).slice(2, 10));
}

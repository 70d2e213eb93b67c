/**
 * `open(group, name)`: one instance per object of a group at a member. Opening a name again
 * gives the same instance (a core channel can be open once per group). Each kind of object has
 * its own channel namespace (`map:players`, `list:players`...), so a name opened as a map at one
 * member and as a list at another makes two objects, not one confused one.
 */
import type { Group } from '@synchrony/core';
import type { ReplicatedObject } from './replicated-object.js';

/** Object names are at most this long (the channel name adds the kind). */
export const MAX_NAME_LENGTH = 200;

type AnyObject = ReplicatedObject<unknown, unknown>;

const opened = new WeakMap<Group, Map<string, AnyObject>>();

/** How to make an object of one kind. */
export interface ObjectKind<T> {
  /** The channel namespace: `map`, `list`, `object:<definition name>`... */
  readonly kind: string;
  /** Whether an open object is one of this kind (another definition under the same channel is an error). */
  readonly is: (object: object) => boolean;
  readonly make: (group: Group, name: string) => T;
  /** Never checkpointed (presence). */
  readonly ephemeral?: boolean;
}

/** Checks the arguments of `open`; throws a TypeError or RangeError naming the bad one. */
function checkOpen(group: unknown, name: unknown): void {
  if (typeof group !== 'object' || group === null) throw new TypeError('group must be a Group of @synchrony/core');
  if (typeof name !== 'string') throw new TypeError(`name must be a string, not ${typeof name}`);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new RangeError(`name must have 1 to ${MAX_NAME_LENGTH} characters, not ${name.length}`);
  }
}

/** The object `name` of `group`, of the given kind: the one already open, or a new one, attached. */
export function openObject<T extends object>(group: Group, name: string, kind: ObjectKind<T>): Promise<T> {
  try {
    checkOpen(group, name);
    const channel = `${kind.kind}:${name}`;
    let objects = opened.get(group);
    const existing = objects?.get(channel);
    if (existing !== undefined) {
      if (!kind.is(existing)) throw new TypeError(`${channel} is open already as another definition`);
      return Promise.resolve(existing as unknown as T);
    }
    const object = kind.make(group, name);
    (object as unknown as AnyObject).attachChannel(channel, kind.ephemeral === true);
    if (objects === undefined) opened.set(group, (objects = new Map()));
    objects.set(channel, object as unknown as AnyObject);
    return Promise.resolve(object);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

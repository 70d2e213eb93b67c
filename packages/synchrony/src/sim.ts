/**
 * synchrony/sim: the deterministic simulator (@synchrony/sim), which runs many processes of the
 * real engine in one Node or browser process on virtual time, with seeded latency, loss, crashes
 * and partitions, and the property checker that judges its traces. A separate entry, so that
 * `synchrony` and its drop-in script do not carry it.
 *
 * ```ts
 * import { Simulator } from 'synchrony/sim';
 * const sim = new Simulator({ seed: 7 });
 * ```
 */
export * from '@synchrony/sim';

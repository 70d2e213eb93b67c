/**
 * The umbrella package is the public API of shared/API.md in one import: every name is there,
 * each error class has its stable `name`, and `synchrony/sim` is the simulator.
 */
import { describe, expect, it } from 'vitest';
import * as synchrony from 'synchrony';
import * as sim from 'synchrony/sim';

/** The runtime names the API contract promises from `synchrony`. */
const API_NAMES = [
  'connect',
  'ReplicatedMap', 'ReplicatedList', 'Counter', 'Lock', 'Presence', 'defineObject',
  'idbStore',
];

/** Each error class and the `name` its instances carry. */
const ERRORS = [
  'AccessDeniedError', 'ApplicationError', 'GroupClosedError', 'NotHolderError', 'NotPrimaryError', 'OverloadError',
  'ProtocolError', 'SendError', 'SignalingError', 'StateTransferError', 'TimeoutError',
] as const;

describe('synchrony', () => {
  it('exports the public API', () => {
    for (const name of [...API_NAMES, ...ERRORS]) expect(synchrony, name).toHaveProperty(name);
    expect(typeof synchrony.connect).toBe('function');
    expect(typeof synchrony.Counter.open).toBe('function');
  });

  it('exports error classes whose instances carry a stable name', () => {
    for (const name of ERRORS) {
      const ErrorClass = synchrony[name] as new (message: string) => Error;
      const error = new ErrorClass('test');
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
    }
  });

  it('exports the simulator as synchrony/sim', async () => {
    const simulator = new sim.Simulator({ seed: 1 });
    const process = simulator.spawn('a');
    const group = process.group('g');
    const joined = group.join();
    await simulator.run(1000);
    expect((await joined).members).toEqual([group.me]);
  });
});

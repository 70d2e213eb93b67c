/**
 * Access control (issue "Hardening", part 4) on the simulator: members prove the group secret to
 * each other over each connection, bound to it (core src/auth). A wrong secret, no secret, or a
 * secret where the group has none: join() rejects with AccessDeniedError, reported once at the
 * members; a man in the middle of a connection gets nothing through it.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/simulator.js';

async function secretGroup(seed: number, secret: string | undefined, names = ['a', 'b', 'c']) {
  const sim = new Simulator({ seed });
  const errors: Error[] = [];
  const apps = names.map((name) => {
    const process = sim.spawn(name);
    process.on('error', (error) => errors.push(error));
    const group = process.group('g', { secret });
    group.on('message', () => {});
    return { process, group };
  });
  for (const { group } of apps) { void group.join(); await sim.run(400); }
  await sim.run(600);
  return { sim, errors, apps };
}

describe('access control', () => {
  it('two processes that join at once with different secrets do not refuse each other: only a member speaks for a group', async () => {
    const sim = new Simulator({ seed: 4 });
    const [a, b] = ['a', 'b'].map((name) => {
      const process = sim.spawn(name);
      process.on('error', () => {});
      return process.group('g', { secret: `secret of ${name}` });
    });
    // Neither can tell which secret is the group's: each founds its own group, apart.
    const joins = [a!.join(), b!.join()];
    await sim.run(3000);
    const views = await Promise.all(joins);
    expect(views.map((v) => v.members)).toEqual([['a#1'], ['b#1']]);
  });

  it('members with the same secret form the group, and everything flows', async () => {
    const { sim, apps } = await secretGroup(1, 's3cret');
    expect(apps[0]!.group.view?.members).toHaveLength(3);
    const got: unknown[] = [];
    apps[2]!.group.on('message', (m) => got.push(m.data));
    await Promise.all([apps[0]!.group.send('hello', { safe: true }), sim.run(500)]);
    expect(got).toEqual(['hello']);
  });

  it('a wrong secret: join() rejects with AccessDeniedError, reported once at each member it asked', async () => {
    const { sim, errors, apps } = await secretGroup(2, 's3cret');
    const outsider = sim.spawn('x').group('g', { secret: 'guess' });
    const joined = outsider.join().catch((error: Error) => error);
    await sim.run(3000);
    expect(await joined).toHaveProperty('name', 'AccessDeniedError');
    const refusals = errors.filter((e) => /does not verify/.test(e.message));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.length).toBeLessThanOrEqual(3); // once per member, not once per retry
    expect(apps[0]!.group.view?.members).toHaveLength(3);
  });

  it('no secret into a group that has one: refused', async () => {
    const { sim } = await secretGroup(3, 's3cret');
    const outsider = sim.spawn('x').group('g');
    const joined = outsider.join().catch((error: Error) => error);
    await sim.run(5000);
    expect(await joined).toHaveProperty('name', 'AccessDeniedError');
  });

  it('a joiner that has a secret refuses a group that has none', async () => {
    const { sim } = await secretGroup(4, undefined);
    const careful = sim.spawn('x').group('g', { secret: 's3cret' });
    const joined = careful.join().catch((error: Error) => error);
    await sim.run(3000);
    const error = await joined;
    expect(error).toHaveProperty('name', 'AccessDeniedError');
    expect((error as Error).message).toMatch(/hold no secret/);
  });

  it('a joiner with the right secret behind a man in the middle gets nowhere (its proofs do not verify); the group is untouched', async () => {
    const { sim, apps } = await secretGroup(5, 's3cret');
    const outsider = sim.spawn('y').group('g', { secret: 's3cret' });
    for (const member of ['a', 'b', 'c']) sim.network.manInTheMiddle('y', member);
    const joined = outsider.join().catch((error: Error) => error);
    await sim.run(4000);
    expect(await joined).toHaveProperty('name', 'AccessDeniedError');
    expect(apps[0]!.group.view?.members).toHaveLength(3);
  });

  it('a joiner refused behind a man in the middle joins once it is gone: no stale refusal, no refused peer left', async () => {
    const { sim, apps } = await secretGroup(5, 's3cret');
    const outsider = sim.spawn('y').group('g', { secret: 's3cret' });
    for (const member of ['a', 'b', 'c']) sim.network.manInTheMiddle('y', member);
    const refused = outsider.join().catch((error: Error) => error);
    await sim.run(4000);
    expect(await refused).toHaveProperty('name', 'AccessDeniedError');
    // New connections: refusals are about a proof over a connection, so none outlives it (over real
    // WebRTC, where the members' proofs reach the joiner too, man-in-the-middle.test.ts shows the same).
    for (const member of ['a', 'b', 'c']) sim.network.withoutManInTheMiddle('y', member);
    const joined = outsider.join();
    await sim.run(4000);
    expect((await joined).members).toHaveLength(4);
    for (const { group } of apps) expect(group.view?.members).toHaveLength(4);
  });

  it('a new connection is proved again: traffic goes on after a man in the middle is gone', async () => {
    const { sim, apps } = await secretGroup(6, 's3cret');
    const got: unknown[] = [];
    apps[1]!.group.on('message', (m) => got.push(m.data));
    // A new connection between a and b (as after a network change): both prove the secret again.
    const transport = (sim.network as unknown as { nodes: Map<string, { transport: { connectedTo(p: string): void } }> }).nodes;
    transport.get('a')!.transport.connectedTo('b');
    transport.get('b')!.transport.connectedTo('a');
    await Promise.all([apps[0]!.group.send('after'), sim.run(1000)]);
    expect(got).toEqual(['after']);
    expect(apps[0]!.group.view?.members).toHaveLength(3);
  });
});

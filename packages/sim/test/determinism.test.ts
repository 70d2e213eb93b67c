import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario.js';

describe('the simulator is deterministic', () => {
  it('runs one seed twice to the same trace, event for event', async () => {
    const a = await runScenario(4242);
    const b = await runScenario(4242);
    expect(a.trace.length).toBeGreaterThan(50);
    expect(b.hash).toBe(a.hash);
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
  });

  it('gives different seeds different runs', async () => {
    const a = await runScenario(1);
    const b = await runScenario(2);
    expect(a.hash).not.toBe(b.hash);
  });
});

/**
 * examples/node-group.js, run as a user runs it: three processes in one group over real WebRTC
 * (@roamhq/wrtc) through a real signaling server. Needs `tsc -b` and isolated-net.
 */
import { describe, expect, it } from 'vitest';
import { runExample } from './run-example.js';

describe('examples/node-group.js', () => {
  it('forms one group of three, delivers the hellos in one order everywhere, and answers the request', async () => {
    const lines = (await runExample('examples/node-group.js')).trim().split('\n');
    expect(lines).toHaveLength(5);

    const [view, ...rest] = lines;
    const members = view!.replace('one view of 3 members: ', '').split(' ');
    expect(members).toHaveLength(3);
    expect(new Set(members).size).toBe(3);

    const delivered = rest.slice(0, 3).map((line, i) => {
      expect(line.startsWith(`peer ${i + 1} delivered: `)).toBe(true);
      return line.slice(line.indexOf(': ') + 2);
    });
    expect(delivered[0]!.split(', ').sort()).toEqual(['hello from peer 1', 'hello from peer 2', 'hello from peer 3']);
    expect(new Set(delivered).size).toBe(1); // one total order

    expect(rest[3]).toBe('1 + 2 = 3, 3, 3 (3 replies)');
  });
});

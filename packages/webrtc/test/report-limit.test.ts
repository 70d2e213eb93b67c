/** The transport's rate limit on reports of a peer's bad input (report-limit.ts). */
import { describe, expect, it } from 'vitest';
import { ReportLimit } from '../src/report-limit.js';

describe('ReportLimit', () => {
  it('reports a kind once per peer, then once per interval with the count held back', () => {
    let nowMs = 0;
    const limit = new ReportLimit(() => nowMs, 10_000);
    expect(limit.admit('x', 'fragment has framing version 9, expected 1')).toBe('');
    for (let i = 0; i < 1000; i++) expect(limit.admit('x', `fragment has framing version ${i}, expected 1`)).toBeUndefined();
    expect(limit.admit('y', 'fragment has framing version 9, expected 1')).toBe(''); // another peer
    expect(limit.admit('x', 'message 7: fragment index 9 is outside a count of 2')).toBe(''); // another kind
    expect(limit.admit('x', 'message 8: fragment index 3 is outside a count of 1')).toBeUndefined(); // same kind, other numbers
    nowMs = 10_000;
    expect(limit.admit('x', 'fragment has framing version 9, expected 1')).toBe(' (and 1000 more of this kind since the last report)');
    expect(limit.admit('x', 'fragment has framing version 9, expected 1')).toBeUndefined();
  });
});

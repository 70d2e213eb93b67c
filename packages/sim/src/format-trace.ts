/** A trace as lines a person can read: time, member, what happened. */
import type { Trace } from './recorder.js';

export function formatTrace(trace: Trace, options: { deliveries?: boolean } = {}): string {
  const lines: string[] = [];
  for (const e of trace) {
    const at = `${String(e.at).padStart(6)} ms`;
    switch (e.k) {
      case 'fault': lines.push(`${at}  ** ${e.what}`); break;
      case 'view': {
        const v = e.view;
        const change = [v.joined.length ? `+${v.joined.join(' +')}` : '', v.left.length ? `-${v.left.join(' -')}` : ''].filter(Boolean).join(' ');
        lines.push(`${at}  ${e.member.padEnd(6)} view ${v.id}${v.primary ? '' : ' NOT PRIMARY'} [${v.members.join(' ')}] ${change}`);
        break;
      }
      case 'deliver':
        if (options.deliveries !== false) lines.push(`${at}  ${e.member.padEnd(6)} delivers ${e.id} (${e.order}${e.safe ? ', safe' : ''}) in view ${e.viewId}`);
        break;
      case 'setState': lines.push(`${at}  ${e.member.padEnd(6)} state transferred: ${JSON.stringify(e.state)}`); break;
      case 'getState': lines.push(`${at}  ${e.member.padEnd(6)} checkpoint at the cut of view ${e.viewId}: ${JSON.stringify(e.state)}`); break;
      case 'call': lines.push(`${at}  ${e.member.padEnd(6)} calls ${e.call} (${e.id})`); break;
      case 'settled': lines.push(`${at}  ${e.member.padEnd(6)} ${e.id} ${e.ok ? 'resolved' : `rejected: ${e.error ?? ''}`}`); break;
      case 'crash': lines.push(`${at}  ** ${e.process} stops without a goodbye`); break;
      case 'send': if (options.deliveries !== false) lines.push(`${at}  ${e.member.padEnd(6)} sends ${e.id} (${e.order}${e.safe ? ', safe' : ''})`); break;
      case 'sent': if (options.deliveries !== false || !e.ok) lines.push(`${at}  ${e.member.padEnd(6)} send ${e.id} ${e.ok ? 'resolved' : 'rejected'}`); break;
      default: break;
    }
  }
  return lines.join('\n');
}

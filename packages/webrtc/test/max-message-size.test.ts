import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MESSAGE_BYTES, remoteMaxMessageBytes } from '../src/max-message-size.js';

const sdp = (...lines: string[]): string => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', ...lines, ''].join('\r\n');

describe('remoteMaxMessageBytes', () => {
  it('reads a=max-message-size', () => {
    expect(remoteMaxMessageBytes(sdp('a=sctp-port:5000', 'a=max-message-size:262144'), 1)).toBe(262144);
    expect(remoteMaxMessageBytes(sdp('a=max-message-size:1073741823'), 1)).toBe(1073741823);
  });

  it('takes 0 as any size, and a description that does not say as 64 KiB (RFC 8841)', () => {
    expect(remoteMaxMessageBytes(sdp('a=max-message-size:0'), 1)).toBe(Infinity);
    expect(remoteMaxMessageBytes(sdp('a=sctp-port:5000'), 1)).toBe(DEFAULT_MAX_MESSAGE_BYTES);
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(65536);
  });

  it('falls back when there is no description, and ignores lines that are not the attribute', () => {
    expect(remoteMaxMessageBytes(undefined, 16384)).toBe(16384);
    expect(remoteMaxMessageBytes(sdp('a=max-message-size:lots', 'x=a=max-message-size:5'), 1)).toBe(DEFAULT_MAX_MESSAGE_BYTES);
    expect(remoteMaxMessageBytes('a=max-message-size:5000\n', 1)).toBe(5000);
  });
});

/**
 * `@synchrony/signaling-server`: introduces the peers of a group to each other and relays
 * their WebRTC offers, answers and ICE candidates. No application data passes through it.
 *
 * The wire protocol alone, browser-safe, is `@synchrony/signaling-server/protocol`.
 */

export { startSignalingServer, type SignalingServer } from './server.js';
export type { SignalingServerOptions, RedisOptions } from './options.js';
export { issueToken, verifyToken, ANY_GROUP, TOKEN_LIFETIME_SEC_DEFAULT, type IssueTokenOptions, type TokenClaims, type TokenVerification } from './token.js';
export { DEFAULT_LIMITS, type SignalingLimits } from './limits.js';
export * from './protocol.js';

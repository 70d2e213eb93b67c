/**
 * The transport conformance suite of @synchrony/core, run against three WebRtcTransports on
 * @roamhq/wrtc and a real signaling server on 127.0.0.1.
 */
import { transportConformance } from '../../core/src/testing/transport-conformance.js';
import { createTransport, startServer } from './helpers.js';

transportConformance('WebRtcTransport', async () => {
  const server = await startServer();
  const transports = await Promise.all([createTransport(server), createTransport(server), createTransport(server)]);
  return {
    transports,
    cleanup: async () => {
      await Promise.all(transports.map((t) => t.close({ abrupt: true })));
      await server.close();
    },
  };
});

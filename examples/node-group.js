// Three processes form one group over real WebRTC (in Node, through @roamhq/wrtc), introduced by a
// signaling server; they multicast, flush, and answer a group request. Run: node examples/node-group.js
import { startSignalingServer } from '@synchrony/signaling-server';
import { connect } from 'synchrony';

const server = await startSignalingServer({ port: 0 }); // elsewhere: npx synchrony-signaling --port 8787
const peers = await Promise.all([1, 2, 3].map(() => connect({ signaling: server.url })));
const members = peers.map((peer) => {
  const group = peer.group('chat'); // subscribe first, then join: the listeners see every event
  const hellos = [];
  const together = new Promise((resolve) => group.on('view', (view) => view.members.length === 3 && resolve()));
  const heardAll = new Promise((resolve) => group.on('message', (message) => {
    hellos.push(message.data);
    if (hellos.length === 3) resolve();
  }));
  group.onRequest((question) => question.a + question.b); // every member answers, in total order
  return { group, hellos, together, heardAll };
});
await Promise.all(members.map((member) => member.group.join().then(() => member.together)));
console.log('one view of 3 members:', members[0].group.view.members.join(' '));

await Promise.all(members.map(({ group }, i) => group.send(`hello from peer ${i + 1}`))); // total order
await Promise.all(members.map(({ group }) => group.flush())); // every member holds every hello
await Promise.all(members.map((member) => member.heardAll));
for (const [i, { hellos }] of members.entries()) console.log(`peer ${i + 1} delivered:`, hellos.join(', '));
const replies = await members[0].group.request({ a: 1, b: 2 }); // waits for a reply from each member
console.log('1 + 2 =', replies.map((reply) => reply.data).join(', '), `(${replies.length} replies)`);

await Promise.all(peers.map((peer) => peer.close()));
await server.close();
process.exit(0); // else @roamhq/wrtc holds Node about 5 s after its last connection closed

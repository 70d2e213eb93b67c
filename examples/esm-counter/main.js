import { connect, Counter } from 'synchrony';

const peer = await connect({ signaling: location.origin.replace('http', 'ws') });
const group = await peer.join('counter');
const clicks = await Counter.open(group, 'clicks');
const show = () => { document.querySelector('output').textContent = String(clicks.value); };
clicks.on('change', show);
document.querySelector('button').onclick = () => clicks.add(1);
show();

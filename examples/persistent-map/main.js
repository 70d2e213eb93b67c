import { connect, idbStore, ReplicatedMap } from 'synchrony';

const peer = await connect({ signaling: location.origin.replace('http', 'ws') });
// With a store, views and checkpoints go to IndexedDB: when every tab has closed, the next to open
// restarts the group from there; while one tab is open, a new tab gets the notes by state transfer.
const group = peer.group('notes', { store: idbStore('notes-example') });
const notes = await ReplicatedMap.open(group, 'notes');
await group.join();
const show = () => {
  document.querySelector('pre').textContent = [...notes.entries()].map(([key, value]) => `${key} = ${value}`).sort().join('\n');
};
notes.on('change', show);
document.querySelector('form').onsubmit = (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  void notes.set(String(form.get('key')), String(form.get('value')));
};
show();

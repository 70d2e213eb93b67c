/**
 * The landing page: both demos, linked with one fresh room name (editable), and a button that
 * copies each link to share it.
 */
import { copyText } from '../shared/group-status.js';
import { must } from '../shared/dom.js';
import { cleanRoomName, freshRoomName } from '../shared/names.js';
import { inviteLink } from '../shared/params.js';

const DEMOS = ['whiteboard', 'room'] as const;
const roomInput = must('#room', HTMLInputElement);

function room(): string {
  return cleanRoomName(roomInput.value) || freshRoomName();
}

function update(): void {
  const name = room();
  for (const demo of DEMOS) {
    const link = inviteLink(demo, name);
    must(`[data-demo="${demo}"]`, HTMLAnchorElement).href = link;
    must(`[data-preview="${demo}"]`, HTMLElement).textContent = link;
  }
}

roomInput.value = freshRoomName();
roomInput.addEventListener('input', update);
roomInput.addEventListener('change', () => {
  roomInput.value = room();
  update();
});
must('[data-fresh]', HTMLButtonElement).addEventListener('click', () => {
  roomInput.value = freshRoomName();
  update();
});
for (const demo of DEMOS) {
  const button = must(`[data-copy="${demo}"]`, HTMLButtonElement);
  button.addEventListener('click', () => {
    void copyText(inviteLink(demo, room())).then((copied) => {
      button.textContent = copied ? 'Copied' : 'Copy failed: use the link below';
      setTimeout(() => (button.textContent = 'Copy link'), 1800);
    });
  });
}
update();

/**
 * Entry of the end-to-end test page: reads the signaling server's URL from the query string
 * (`?signaling=ws://127.0.0.1:PORT`) and installs the test API as `window.synchronyE2e`.
 */
import { createRecordingPage, windowErrors } from './recording-page.js';

const signalingUrl = new URL(window.location.href).searchParams.get('signaling');
if (signalingUrl === null) throw new Error('the page needs ?signaling=ws://HOST:PORT');
window.synchronyE2e = createRecordingPage(signalingUrl, windowErrors(window));

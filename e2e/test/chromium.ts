/**
 * Launches Debian's Chromium (never a downloaded browser) with the flags WebRTC needs on a
 * machine with no network but the isolated namespace's private interface.
 */
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * `--no-sandbox`: the sandbox needs privileges a container or network namespace lacks.
 * `--disable-gpu`: no GPU here, and none needed.
 * `--disable-background-networking`: no update checks or other traffic of the browser's own.
 * `--disable-features=WebRtcHideLocalIpsWithMdns`: Chromium otherwise hides its host candidates
 * behind random `.local` names, which the other page must resolve by multicast DNS; with no mDNS
 * responder reachable, the candidates never resolve and ICE fails. Plain IPs connect at once.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Launches headless Chromium; rejects after `timeoutMs`. */
export function launchChromium(timeoutMs: number): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: timeoutMs });
}

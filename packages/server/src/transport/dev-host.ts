/**
 * `--dev` is loopback only. It listens on a loopback address, and answers only requests whose
 * `Host` names the loopback: a page on evil.example whose DNS name is switched to 127.0.0.1
 * (DNS rebinding) reaches the node from the victim's browser, but its requests still say
 * `Host: evil.example`, and the dev token and API key served at `/dev.json` stay out of reach.
 */
import { isIPv4 } from 'node:net';

/** `Host` values a dev node answers: localhost, 127.0.0.1 or [::1], with any port. */
const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;

export function isLoopbackHostHeader(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

/** Listen addresses of the loopback interface: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** Why a dev node refuses a request (403): never echoes the Host it got. */
export const DEV_HOST_REFUSAL = 'dev mode answers only to localhost, 127.0.0.1 and [::1]';

/** A loopback port free right now, for test servers whose address must be known before they start. */
export { freePort } from '../net/free-port';

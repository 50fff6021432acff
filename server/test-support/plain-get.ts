/**
 * A GET with Node's own http/https (no keep-alive, an optional CA to trust): for tests that must
 * control exactly which certificate is trusted and that no connection outlives the request.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PlainAnswer {
  readonly status: number;
  readonly body: string;
}

export function plainGet(url: string, options: { ca?: Buffer } = {}): Promise<PlainAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(url, { agent: false, ca: options.ca }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * A sentence for an image Cornerstone could not load: what the server said (its JSON message),
 * or why the decoder refused, or that the file's data does not hold what its header promises.
 */
export function describeLoadError(error: unknown): string {
  const request = (error as { request?: XMLHttpRequest } | null)?.request ?? ((error as { error?: unknown })?.error as { request?: XMLHttpRequest } | undefined)?.request;
  if (request !== undefined && request !== null && typeof request.status === 'number') {
    if (request.status === 0) return 'The source of this image did not answer (is the hub reachable?).';
    try {
      const body = request.response instanceof ArrayBuffer ? new TextDecoder().decode(request.response) : String(request.response ?? '');
      const message = (JSON.parse(body) as { error?: { message?: string } }).error?.message;
      if (message) return message;
    } catch {
      // not JSON: fall through to the status
    }
    return `The image could not be fetched (HTTP ${request.status}).`;
  }
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : ((error as { message?: string } | null)?.message ?? '');
  if (/transfer syntax|no decoder|unsupported/i.test(text)) return `This image’s compression is not supported: ${text}`;
  if (/out of (range|bounds)|offset|length|truncat|buffer/i.test(text)) return 'This image’s pixel data is shorter than its header says (truncated or damaged file).';
  if (/pixel data|x7fe00010/i.test(text)) return 'This file has no readable pixel data.';
  return text ? `This image could not be decoded: ${text}` : 'This image could not be decoded.';
}

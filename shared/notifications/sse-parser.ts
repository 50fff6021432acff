/**
 * Reads a Server-Sent Events stream as text chunks arrive (the desktop's streaming fetch reader
 * and the tests; Node has no EventSource). Follows the format's rules that matter here: events
 * end at a blank line, `event`, `id`, `data` and `retry` fields, comments (`:`) ignored, CRLF or
 * LF line ends, a chunk may end mid-line.
 */
export interface ServerSentEvent {
  readonly event: string;
  readonly id: string | null;
  readonly data: string;
}

export class SseParser {
  private buffer = '';
  private event = '';
  private id: string | null = null;
  private data: string[] = [];
  /** The last `retry:` the server asked for, in milliseconds. */
  retryMs: number | null = null;

  constructor(private readonly onEvent: (event: ServerSentEvent) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.search(/\r\n|\n|\r/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(this.buffer.startsWith('\r\n', end) ? end + 2 : end + 1);
      this.line(line);
    }
    // A stream that never sends a line end is not a stream of events: do not hoard it.
    if (this.buffer.length > 65_536) this.buffer = '';
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0 || this.event !== '') this.onEvent({ event: this.event === '' ? 'message' : this.event, id: this.id, data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}

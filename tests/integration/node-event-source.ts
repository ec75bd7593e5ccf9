/**
 * A small, real EventSource for Node 20 (which has none): an HTTP GET that parses the SSE wire
 * format and dispatches MessageEvents. Enough for the SDK's EventSourceLike; reconnection is the
 * SDK's job. `NodeEventSource.all` lets a test cut every open stream.
 */
import http from 'node:http';

type Listener = (event: MessageEvent) => void;

export class NodeEventSource {
  static readonly all = new Set<NodeEventSource>();
  readonly url: string;
  private listeners = new Map<string, Set<Listener>>();
  private request: http.ClientRequest;
  private closed = false;

  constructor(url: string) {
    this.url = url;
    NodeEventSource.all.add(this);
    this.request = http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return this.fail();
      this.dispatch('open', '', '');
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          let id = '';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') type = value;
            else if (field === 'data') data.push(value);
            else if (field === 'id') id = value;
          }
          if (data.length) this.dispatch(type, data.join('\n'), id);
        }
      });
      res.on('end', () => this.fail());
      res.on('error', () => this.fail());
    });
    this.request.on('error', () => this.fail());
  }

  addEventListener(type: string, listener: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }

  close(): void {
    this.closed = true;
    NodeEventSource.all.delete(this);
    this.request.destroy();
  }

  /** Drops the connection as a network failure would. */
  cut(): void {
    this.request.destroy();
  }

  private fail(): void {
    if (this.closed) return;
    this.dispatch('error', '', '');
  }

  private dispatch(type: string, data: string, lastEventId: string): void {
    const event = new MessageEvent(type, { data, lastEventId });
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

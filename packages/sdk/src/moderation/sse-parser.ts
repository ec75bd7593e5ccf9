/**
 * A streaming parser for `text/event-stream` (the WHATWG "server-sent events" interpretation):
 * `event:`, `data:` (several lines join with "\n"), `id:` (ignored when it holds a NUL) and
 * `retry:` (digits only) fields, comments (`:` lines, used as heartbeats), LF / CRLF / CR line
 * ends split anywhere across chunks, and a leading byte-order mark. Used by the staff stream,
 * which must send an `Authorization` header and so cannot use `EventSource`.
 */

/** One dispatched message. `event` is `message` when the stream named none. */
export interface SseMessage {
  event: string;
  data: string;
  /** The `id:` of this message, if it had one. */
  id?: string;
}

export interface SseHandlers {
  message(message: SseMessage): void;
  /** A comment line (heartbeat), without its leading colon. */
  comment?(text: string): void;
  /** The server asked for a reconnection delay (ms). */
  retry?(ms: number): void;
}

export interface SseParser {
  /** Feeds decoded text; complete lines are processed at once. */
  push(text: string): void;
  /** Feeds raw bytes (decoded as UTF-8, multi-byte characters may be split across chunks). */
  pushBytes(bytes: Uint8Array): void;
  /** The last `id:` seen (persists across messages, as in EventSource). */
  readonly lastEventId: string;
}

export function createSseParser(handlers: SseHandlers): SseParser {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let first = true;
  /** A chunk ended in CR: a following LF belongs to the same line end. */
  let pendingCr = false;
  let event = '';
  let data: string[] = [];
  let hasData = false;
  let id: string | undefined;
  let lastEventId = '';

  function line(text: string): void {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return handlers.comment?.(text.slice(1).trimStart());
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        event = value;
        break;
      case 'data':
        data.push(value);
        hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) id = lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) handlers.retry?.(Number(value));
        break;
      default:
      // Unknown fields are ignored.
    }
  }

  function dispatch(): void {
    const message: SseMessage = { event: event || 'message', data: data.join('\n') };
    if (id !== undefined) message.id = id;
    const send = hasData;
    event = '';
    data = [];
    hasData = false;
    id = undefined;
    if (send) handlers.message(message);
  }

  function push(text: string): void {
    if (first && text) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (pendingCr && text.startsWith('\n')) text = text.slice(1);
    pendingCr = false;
    buffer += text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      line(buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 === buffer.length) pendingCr = true;
        else if (buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
  }

  return {
    push,
    pushBytes: (bytes) => push(decoder.decode(bytes, { stream: true })),
    get lastEventId() {
      return lastEventId;
    },
  };
}

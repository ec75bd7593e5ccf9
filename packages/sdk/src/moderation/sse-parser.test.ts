import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from './sse-parser.js';

function collect() {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = createSseParser({
    message: (m) => messages.push(m),
    comment: (c) => comments.push(c),
    retry: (ms) => retries.push(ms),
  });
  return { parser, messages, comments, retries };
}

describe('createSseParser', () => {
  it('dispatches event, data and id on a blank line', () => {
    const { parser, messages } = collect();
    parser.push('id: 12\nevent: moderation.queued\ndata: {"seq":12}\n\n');
    expect(messages).toEqual([{ event: 'moderation.queued', data: '{"seq":12}', id: '12' }]);
    expect(parser.lastEventId).toBe('12');
  });

  it('joins several data lines with a newline and defaults the event name to "message"', () => {
    const { parser, messages } = collect();
    parser.push('data: first\ndata:second\ndata\n\n');
    expect(messages).toEqual([{ event: 'message', data: 'first\nsecond\n' }]);
  });

  it('accepts LF, CRLF and CR line ends, split anywhere across chunks', () => {
    const text = 'event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\revent: c\ndata: 3\n\n';
    for (let size = 1; size <= text.length; size++) {
      const { parser, messages } = collect();
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
      expect(
        messages.map((m) => `${m.event}=${m.data}`),
        `chunks of ${size}`,
      ).toEqual(['a=1', 'b=2', 'c=3']);
    }
  });

  it('reports comments as heartbeats and dispatches nothing for them', () => {
    const { parser, messages, comments } = collect();
    parser.push(': hb\n\n:\n\n');
    expect(comments).toEqual(['hb', '']);
    expect(messages).toEqual([]);
  });

  it('ignores a message without data, unknown fields, bad retry values and ids with NUL', () => {
    const { parser, messages, retries } = collect();
    parser.push('event: ready\n\n');
    parser.push('foo: bar\nretry: 1.5\nretry: 3000\nid: a\0b\ndata: x\n\n');
    expect(messages).toEqual([{ event: 'message', data: 'x' }]);
    expect(retries).toEqual([3000]);
    expect(parser.lastEventId).toBe('');
  });

  it('keeps the last id across messages and a field without a colon as an empty value', () => {
    const { parser, messages } = collect();
    parser.push('id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n');
    expect(messages).toEqual([
      { event: 'message', data: 'a', id: '7' },
      { event: 'message', data: 'b' },
      { event: 'message', data: 'c', id: '' },
    ]);
    expect(parser.lastEventId).toBe('');
  });

  it('strips one leading space only, and a byte-order mark at the very start', () => {
    const { parser, messages } = collect();
    parser.push('\uFEFFdata:  two spaces\n\n');
    expect(messages).toEqual([{ event: 'message', data: ' two spaces' }]);
  });

  it('decodes UTF-8 bytes split inside a character', () => {
    const { parser, messages } = collect();
    const bytes = new TextEncoder().encode('data: Zoë 🚢\n\n');
    for (const byte of bytes) parser.pushBytes(Uint8Array.of(byte));
    expect(messages).toEqual([{ event: 'message', data: 'Zoë 🚢' }]);
  });

  it('keeps an incomplete message until its blank line arrives', () => {
    const { parser, messages } = collect();
    parser.push('data: half');
    parser.push('\n');
    expect(messages).toEqual([]);
    parser.push('\n');
    expect(messages).toEqual([{ event: 'message', data: 'half' }]);
  });
});

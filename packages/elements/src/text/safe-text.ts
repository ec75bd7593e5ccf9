/**
 * The safe text subset of post bodies, parsed into Lit templates (never into HTML strings):
 * paragraphs split on blank lines, lines starting with "- " as list items, `code` in backticks,
 * ``` fenced code blocks (kept verbatim, never linked), and https links (rel="nofollow ugc noopener", new tab). Everything else stays text.
 */
import { html, nothing, type TemplateResult } from 'lit';

export type Inline =
  { type: 'text'; text: string } | { type: 'code'; text: string } | { type: 'link'; href: string };
export type Block =
  | { type: 'paragraph'; lines: Inline[][] }
  | { type: 'list'; items: Inline[][] }
  | { type: 'code'; text: string };

const FENCE = /^\s*```/;

const LINK = /https:\/\/[^\s<>"'`]+/g;
const TRAILING = /[.,;:!?)\]]+$/;

/** Splits a line into text, code spans and https links. */
export function parseInline(line: string): Inline[] {
  const out: Inline[] = [];
  const parts = line.split(/(`[^`\n]+`)/);
  for (const part of parts) {
    if (!part) continue;
    if (part.length > 2 && part.startsWith('`') && part.endsWith('`')) {
      out.push({ type: 'code', text: part.slice(1, -1) });
      continue;
    }
    let last = 0;
    for (const match of part.matchAll(LINK)) {
      let href = match[0];
      const trailing = TRAILING.exec(href)?.[0] ?? '';
      href = href.slice(0, href.length - trailing.length);
      const start = match.index ?? 0;
      if (!isSafeUrl(href)) continue;
      if (start > last) out.push({ type: 'text', text: part.slice(last, start) });
      out.push({ type: 'link', href });
      last = start + href.length;
    }
    if (last < part.length) out.push({ type: 'text', text: part.slice(last) });
  }
  return out;
}

function isSafeUrl(href: string): boolean {
  try {
    const url = new URL(href);
    return url.protocol === 'https:' && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Parses a body into paragraph, list and fenced code blocks. */
export function parseSafeText(body: string): Block[] {
  const blocks: Block[] = [];
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  let text: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i])) {
      text.push(lines[i]);
      continue;
    }
    blocks.push(...parseText(text.join('\n')));
    text = [];
    const code: string[] = [];
    // Everything up to the closing fence (or the end) is code; the info string is dropped.
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) code.push(lines[i]);
    blocks.push({ type: 'code', text: code.join('\n') });
  }
  blocks.push(...parseText(text.join('\n')));
  return blocks;
}

function parseText(body: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of body.split(/\n[ \t]*\n+/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '');
    let paragraph: Inline[][] = [];
    let list: Inline[][] = [];
    const flush = (): void => {
      if (paragraph.length) blocks.push({ type: 'paragraph', lines: paragraph });
      if (list.length) blocks.push({ type: 'list', items: list });
      paragraph = [];
      list = [];
    };
    for (const line of lines) {
      const item = /^\s*[-*] +(.*)$/.exec(line);
      if (item) {
        if (paragraph.length) flush();
        list.push(parseInline(item[1]));
      } else {
        if (list.length) flush();
        paragraph.push(parseInline(line.trim()));
      }
    }
    flush();
  }
  return blocks;
}

function renderInline(parts: Inline[]): TemplateResult[] {
  return parts.map((part) => {
    if (part.type === 'code') return html`<code>${part.text}</code>`;
    if (part.type === 'link') {
      return html`<a href=${part.href} rel="nofollow ugc noopener" target="_blank"
        >${part.href}</a
      >`;
    }
    return html`${part.text}`;
  });
}

/** Renders one line (a workaround step) with code spans and https links. */
export function renderSafeInline(line: string): TemplateResult {
  return html`${renderInline(parseInline(line))}`;
}

/** Renders a body in the safe subset as Lit templates. */
export function renderSafeText(body: string): TemplateResult {
  return html`${parseSafeText(body).map((block) =>
    block.type === 'code'
      ? html`<pre><code>${block.text}</code></pre>`
      : block.type === 'list'
        ? html`<ul>
            ${block.items.map((item) => html`<li>${renderInline(item)}</li>`)}
          </ul>`
        : html`<p>
            ${block.lines.map((line, i) => html`${i > 0 ? html`<br />` : nothing}${renderInline(line)}`)}
          </p>`,
  )}`;
}

/**
 * htmlToText is a linear tokenizer (issue 16, item 7): the same text as the regular-expression
 * version on every string of the status fixtures and on ordinary HTML, and inputs that took the
 * regular expressions quadratic time (0.8 s for 40 KB of `<a`; these would take hours) come back
 * at once. No timing is asserted: before the tokenizer these tests never finished.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { htmlToText } from './text.js';

/** The regular-expression version this module had before the tokenizer (the reference). */
function reference(html: unknown): string {
  if (typeof html !== 'string') return '';
  const entities: Record<string, string> = {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: ' ',
    ndash: '–',
    mdash: '—',
    hellip: '…',
    lsquo: '‘',
    rsquo: '’',
    ldquo: '“',
    rdquo: '”',
    bull: '•',
    middot: '·',
    copy: '©',
    reg: '®',
    trade: '™',
  };
  const text = html
    .replace(/\r\n?/g, '\n')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n• ')
    .replace(/<\/li\s*>/gi, '')
    .replace(/<\/(p|div|ul|ol|h[1-6]|blockquote|pre|tr)\s*>/gi, '\n\n')
    .replace(/<(p|div|ul|ol|h[1-6]|blockquote|pre|tr)\b[^>]*>/gi, '\n')
    .replace(/<\/?[a-z][^>]*>/gi, '');
  return text
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, name: string) => {
      if (name[0] === '#') {
        const code =
          name[1] === 'x' || name[1] === 'X'
            ? parseInt(name.slice(2), 16)
            : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
          ? String.fromCodePoint(code)
          : match;
      }
      return entities[name.toLowerCase()] ?? match;
    })
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) strings(v, out);
  return out;
}

const FIXTURE_DIRS = [
  new URL('../../test/fixtures/statuspage/', import.meta.url),
  new URL('../../../../../shared/fixtures/statuspage/', import.meta.url),
];

describe('htmlToText: the same text as before on real and ordinary input', () => {
  it('every string of every status fixture', () => {
    let checked = 0;
    for (const dir of FIXTURE_DIRS) {
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const json: unknown = JSON.parse(fs.readFileSync(new URL(name, dir), 'utf8'));
        for (const s of strings(json)) {
          expect(htmlToText(s), `${name}: ${s.slice(0, 80)}`).toBe(reference(s));
          checked++;
        }
      }
    }
    // The repository's own fixtures hold about 800 strings (the shared copy adds about 600).
    expect(checked).toBeGreaterThan(500);
  });

  it('ordinary HTML fragments', () => {
    for (const html of [
      '<p>We are <b>investigating</b> elevated errors.</p><p>Next update in 30 min.</p>',
      'Line one<br>Line two<br/>Line three<BR />four',
      '<ul><li>API</li><li class="x">Webhooks</li></ul>After',
      '<ol>\r\n<li>One</li>\r\n<li>Two</li>\r\n</ol>',
      '<div><h2>Title</h2><blockquote>Quoted &ldquo;text&rdquo;</blockquote></div>',
      '<pre>  code  </pre><table><tr><td>a</td><td>b</td></tr></table>',
      '<script>alert(1)</script>Safe<style>p{color:red}</style> text',
      '<SCRIPT type="x">bad()</Script >ok',
      '<!-- hidden -->Shown<!-- also -- hidden -->',
      'a &lt;b&gt; c &amp;amp; &#233; &#x1F680; &nbsp;x &unknown; &#0;',
      '5 < 6 and 7 > 3, <3 hearts, a<b',
      'Unclosed <a href="x" and more',
      '<a href="https://x.test/?a=1&amp;b=2">link</a> and <img src=x onerror=alert(1)>',
      '<p>One</p>\n\n\n\n<p>Two</p>',
      '  \t spaced \t out  \n\n\n\n\n next ',
      '<br\n/>x<li\nclass=y>z',
      '<p-x>custom</p-x><divider>d</divider>',
      '',
    ])
      expect(htmlToText(html), html).toBe(reference(html));
  });

  it('2,000 random documents of whole tags, text and entities', () => {
    const pieces = [
      'Degraded',
      ' ',
      '\n',
      '\r\n',
      '\t',
      'x < y',
      '5 > 3',
      '&amp;',
      '&lt;x&gt;',
      '&#233;',
      '&nbsp;',
      '<p>',
      '</p>',
      '<div class="u">',
      '</div >',
      '<br>',
      '<br/>',
      '<BR />',
      '<li>',
      '</li>',
      '<ul>',
      '</ul>',
      '<h3>',
      '</h3>',
      '<b>',
      '</b>',
      '<a href="https://x.test">',
      '</a>',
      '<!-- note -->',
      '<script>x()</script>',
      '<style>p{}</style>',
      '<img src=x>',
      '<tr>',
      '</tr>',
      '<pre>',
      '</pre>',
      '\u00a0',
    ];
    let seed = 16;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2000; n++) {
      let html = '';
      const length = Math.floor(random() * 30);
      for (let i = 0; i < length; i++) html += pieces[Math.floor(random() * pieces.length)];
      expect(htmlToText(html), JSON.stringify(html)).toBe(reference(html));
    }
  });

  it('non-strings are empty', () => {
    expect(htmlToText(null)).toBe('');
    expect(htmlToText(42)).toBe('');
  });
});

describe('htmlToText: adversarial input comes back (the regular expressions never finished)', () => {
  it('`<a` × 500,000 (1 MB: what the poller accepts) is text', () => {
    const html = '<a'.repeat(500_000);
    expect(htmlToText(html)).toBe(html);
  });

  it('unclosed comments, scripts, list items and entity starts by the hundred thousand', () => {
    expect(htmlToText('<!--'.repeat(200_000))).toBe('<!--'.repeat(200_000));
    expect(htmlToText('<script>'.repeat(100_000) + 'x')).toBe('x');
    expect(htmlToText('<style x'.repeat(100_000))).toBe('<style x'.repeat(100_000));
    expect(htmlToText('<li'.repeat(300_000))).toBe('<li'.repeat(300_000));
    expect(htmlToText('</p'.repeat(300_000))).toBe('</p'.repeat(300_000));
    expect(htmlToText('<br '.repeat(200_000))).toBe('<br '.repeat(200_000).trim());
    expect(htmlToText('&#x' + '1'.repeat(500_000))).toBe('&#x' + '1'.repeat(500_000));
    expect(htmlToText('<'.repeat(500_000) + 'a>')).toBe('<'.repeat(499_999).trim());
  });

  it('nested and interleaved tags', () => {
    expect(htmlToText('<b><i>'.repeat(100_000) + 'deep' + '</i></b>'.repeat(100_000))).toBe('deep');
    expect(htmlToText('<a "'.repeat(200_000))).toBe('<a "'.repeat(200_000).trim());
  });
});

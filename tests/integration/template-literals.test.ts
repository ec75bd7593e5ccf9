/**
 * The build-time minifier of Lit templates (packages/elements/scripts/template-literals.ts):
 * what it removes, and what it must never touch.
 */
import { describe, expect, it } from 'vitest';
import {
  minifyCss,
  minifyHtml,
  minifyTemplates,
} from '../../packages/elements/scripts/template-literals.js';

describe('minifyCss', () => {
  it('drops comments, collapses whitespace and the spaces CSS does not need', () => {
    expect(
      minifyCss(`
    /* a comment */
    :host([data-severity='minor']) > .a,
    .b  .c {
      color : var(--x, red) !important;
      margin: 0 calc(1px + 2px);
    }
    @media (max-width: 480px) {
      .d { padding: 0 }
    }
  `).trim(),
    ).toBe(
      ":host([data-severity='minor'])>.a,.b .c{color :var(--x,red) !important;margin:0 calc(1px + 2px)}@media (max-width:480px){.d{padding:0}}",
    );
  });

  it('keeps quoted strings, escapes and descendant pseudo-classes as they are', () => {
    expect(minifyCss(`.a::before { content: '  a ;  b { '; }`)).toBe(
      ".a::before{content:'  a ;  b { '}",
    );
    expect(minifyCss(`.x\\:y  :is(.z) { --v: "/* not a comment */"; }`)).toBe(
      '.x\\:y :is(.z){--v:"/* not a comment */"}',
    );
  });

  it('keeps a comment between two words as a separator', () => {
    expect(minifyCss('a/* x */b')).toBe('a b');
  });
});

describe('minifyHtml', () => {
  it('turns each whitespace run with a line break into one space, nothing else', () => {
    expect(minifyHtml('<p\n    class="a"\n  >\n    Hello  there\n  </p>')).toBe(
      '<p class="a" > Hello  there </p>',
    );
  });
});

describe('minifyTemplates', () => {
  it('rewrites only the static parts of css, html and svg templates', () => {
    const code = [
      'const s = css`\n  .a {\n    color: red;\n  }\n`;',
      'const t = html`\n  <p>\n    ${x ? html`<b>\n  yes</b>` : "a\\n  b"}\n  </p>\n`;',
      'const u = `\n  untouched ${css}\n`;',
      '// a css`template` in a comment',
      'const v = svg`<g>\n  </g>`;',
    ].join('\n');
    expect(minifyTemplates(code)).toBe(
      [
        'const s = css`.a{color:red}`;',
        'const t = html` <p> ${x ? html`<b> yes</b>` : "a\\n  b"} </p> `;',
        'const u = `\n  untouched ${css}\n`;',
        '// a css`template` in a comment',
        'const v = svg`<g> </g>`;',
      ].join('\n'),
    );
  });

  it('keeps the space around an interpolation in css', () => {
    expect(minifyTemplates('css`\n  .a { margin: ${a}  ${b}; }\n`')).toBe(
      'css`.a{margin:${a} ${b}}`',
    );
  });

  it('returns null when there is nothing to do', () => {
    expect(minifyTemplates('const a = `\n  b\n`;')).toBeNull();
  });
});

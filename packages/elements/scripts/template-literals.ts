/**
 * Build-time minification of Lit templates in the script-tag bundle. `css`: comments go,
 * whitespace collapses, and spaces next to `{ } ; , >` and after `:` go; quoted strings and
 * escapes are copied verbatim, and the space around an interpolation stays, so nothing the CSS
 * means can change. `html`/`svg`: runs of whitespace with a line break become one space.
 * Interpolations are never touched.
 */
import ts from 'typescript';
import type { Plugin } from 'vite';

/**
 * Minifies the text of one static part of a `css` template. A space at either end stays (it may
 * separate the part from an interpolation); the caller trims the template's own ends.
 */
export function minifyCss(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      // A comment between two words still separates them.
      out += ' ';
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '\\') {
      out += text.slice(i, i + 2);
      i += 2;
    } else if (/\s/.test(c)) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  return tighten(out);
}

/** Drops the single spaces that collapsing left where CSS needs none (outside strings). */
function tighten(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '\\') {
      out += text.slice(i, i + 2);
      i++;
      continue;
    }
    if (c === ' ') {
      const before = out[out.length - 1];
      const after = text[i + 1];
      if (before !== undefined && '{};,>:'.includes(before)) continue;
      if (after !== undefined && '{};,>'.includes(after)) continue;
    }
    if (c === '}' && out.endsWith(';')) out = out.slice(0, -1);
    out += c;
  }
  return out;
}

/**
 * Whitespace in an `html`/`svg` template: every run that holds a line break becomes one space.
 * Browsers collapse such runs to one space anyway (our templates hold no static text inside
 * `<pre>` or `white-space: pre*` elements), so the rendering stays the same.
 */
export function minifyHtml(text: string): string {
  return text.replace(/[ \t]*\n\s*/g, ' ');
}

const MINIFIERS: Record<string, (text: string) => string> = {
  css: minifyCss,
  html: minifyHtml,
  svg: minifyHtml,
};

/**
 * Rewrites the static parts of every css`…`, html`…` and svg`…` template of a module (found by
 * TypeScript's parser, so strings, comments and nested templates are never mistaken for them);
 * null when nothing changed.
 */
export function minifyTemplates(code: string, fileName = 'module.ts'): string | null {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, false);
  const edits: Array<{ from: number; to: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag)) {
      const minify = MINIFIERS[node.tag.text];
      if (minify) {
        const template = node.template;
        const literals: ts.Node[] = ts.isNoSubstitutionTemplateLiteral(template)
          ? [template]
          : [template.head, ...template.templateSpans.map((span) => span.literal)];
        literals.forEach((literal, index) => {
          const from = literal.getStart(source) + 1;
          const closesWithBacktick = index === literals.length - 1;
          const to = literal.end - (closesWithBacktick ? 1 : 2);
          let text = minify(code.slice(from, to));
          if (node.tag.getText(source) === 'css') {
            if (index === 0) text = text.trimStart();
            if (closesWithBacktick) text = text.trimEnd();
          }
          if (text !== code.slice(from, to)) edits.push({ from, to, text });
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (edits.length === 0) return null;
  let out = '';
  let cursor = 0;
  for (const edit of edits.sort((a, b) => a.from - b.from)) {
    out += code.slice(cursor, edit.from) + edit.text;
    cursor = edit.to;
  }
  return out + code.slice(cursor);
}

/** Vite plugin: minifies the templates of our own TypeScript sources before bundling. */
export function templateLiterals(): Plugin {
  return {
    name: 'lifeboat-template-literals',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/packages\/[^/]+\/src\/[^?]*\.ts$/.test(id) || !/(css|html|svg)`/.test(code))
        return null;
      const result = minifyTemplates(code, id);
      return result === null ? null : { code: result, map: null };
    },
  };
}

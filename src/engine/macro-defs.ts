// Collects #define directives and #include names from a file's tokens.
import type { Token } from './lex.ts';

export interface MacroDef {
  name: string;
  /** Parameter names; undefined for object-like macros. */
  params?: string[];
  variadic: boolean;
  /** Replacement text, with line continuations still in place (offsets stay exact). */
  body: string;
  file: string;
  /** Offset of body[0] in the defining file. */
  bodyStart: number;
  /** Offset of the '#' of the directive. */
  at: number;
}

const defineRe = /^#\s*define\s+([A-Za-z_]\w*)(\(([^)]*)\))?/;

export function collectDefines(file: string, tokens: Token[]): MacroDef[] {
  const out: MacroDef[] = [];
  for (const t of tokens) {
    if (t.kind !== 'directive') continue;
    const m = defineRe.exec(t.text);
    if (!m) continue;
    const headLen = m[0].length;
    let params: string[] | undefined;
    let variadic = false;
    if (m[2] !== undefined) {
      params = m[3]
        .split(',')
        .map((p) => p.replace(/\\\r?\n/g, '').trim())
        .filter((p) => p.length > 0);
      if (params[params.length - 1] === '...') {
        variadic = true;
        params[params.length - 1] = '__VA_ARGS__';
      }
    }
    out.push({ name: m[1], params, variadic, body: t.text.slice(headLen), file, bodyStart: t.start + headLen, at: t.start });
  }
  return out;
}

const includeRe = /^#\s*include\s*"([^"]+)"/;

/** Quoted includes only: <system> headers are never part of the tree. */
export function collectIncludes(tokens: Token[]): { name: string; at: number }[] {
  const out: { name: string; at: number }[] = [];
  for (const t of tokens) {
    if (t.kind !== 'directive') continue;
    const m = includeRe.exec(t.text);
    if (m) out.push({ name: m[1], at: t.start });
  }
  return out;
}

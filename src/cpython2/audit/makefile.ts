// Just enough of make to read a configured CPython Makefile's variables: `NAME= value` lines with
// backslash continuations, `$(NAME)` / `${NAME}` references, `$(NAME:.c=.o)` substitutions.
// Functions such as $(shell ...) expand to nothing; CPython's object lists do not use them.

export type MakeVars = Map<string, string>;

export function parseMakeVars(text: string): MakeVars {
  const vars: MakeVars = new Map();
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const raw of joined.split(/\r?\n/)) {
    if (raw.startsWith('\t')) continue; // a recipe line
    const line = stripComment(raw);
    const m = /^\s*(?:override\s+|export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*(\+=|\?=|:::=|::=|:=|=)(.*)$/.exec(line);
    if (!m) continue;
    const [, name, op, value] = m;
    const v = value.trim();
    if (op === '+=') vars.set(name, vars.has(name) ? `${vars.get(name)} ${v}` : v);
    else if (op === '?=') {
      if (!vars.has(name)) vars.set(name, v);
    } else vars.set(name, v);
  }
  return vars;
}

function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && (i === 0 || line[i - 1] !== '\\')) return line.slice(0, i);
  }
  return line;
}

/** Expands variable references recursively; unknown variables are empty, as in make. */
export function expandMake(value: string, vars: MakeVars, depth = 0): string {
  if (depth > 50) throw new Error(`make variable expansion too deep in: ${value.slice(0, 80)}`);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const n = value[i + 1];
    if (n === '$') {
      out += '$';
      i++;
    } else if (n === '(' || n === '{') {
      const close = n === '(' ? ')' : '}';
      let level = 1;
      let j = i + 2;
      for (; j < value.length && level > 0; j++) {
        if (value[j] === n) level++;
        else if (value[j] === close) level--;
      }
      const inner = expandMake(value.slice(i + 2, j - 1), vars, depth + 1);
      out += reference(inner, vars, depth);
      i = j - 1;
    } else if (n !== undefined) {
      out += reference(n, vars, depth);
      i++;
    }
  }
  return out;
}

function reference(inner: string, vars: MakeVars, depth: number): string {
  if (/^\S+\s/.test(inner)) return ''; // a function call: not needed here
  const sub = /^([^:]+):([^=]*)=(.*)$/.exec(inner);
  if (sub) {
    const words = expandMake(vars.get(sub[1]) ?? '', vars, depth + 1).split(/\s+/).filter(Boolean);
    return words.map((w) => (w.endsWith(sub[2]) ? w.slice(0, w.length - sub[2].length) + sub[3] : w)).join(' ');
  }
  return expandMake(vars.get(inner) ?? '', vars, depth + 1);
}

/** The words of a variable after full expansion. */
export function makeWords(vars: MakeVars, name: string): string[] {
  return expandMake(vars.get(name) ?? '', vars).split(/\s+/).filter(Boolean);
}

// Which #if branch each offset sits in, so that declarations in alternative branches
// (`#ifdef __APPLE__ static char **environ; #else extern char **environ; #endif`) are never
// taken for declarations of one variable.
import type { Token } from './lex.ts';

const open = /^#\s*(if|ifdef|ifndef)\b/;
const alt = /^#\s*(elif|else)\b/;
const end = /^#\s*endif\b/;

/** Returns a function from offset to a path like "3:0/7:1" (group id : branch index). */
export function conditionalPaths(tokens: Token[]): (offset: number) => string {
  const marks: { at: number; path: string }[] = [{ at: 0, path: '' }];
  const stack: { id: number; branch: number }[] = [];
  let next = 0;
  const record = (at: number) => marks.push({ at, path: stack.map((s) => `${s.id}:${s.branch}`).join('/') });
  for (const t of tokens) {
    if (t.kind !== 'directive') continue;
    if (open.test(t.text)) stack.push({ id: next++, branch: 0 });
    else if (alt.test(t.text) && stack.length) stack[stack.length - 1].branch++;
    else if (end.test(t.text) && stack.length) stack.pop();
    else continue;
    record(t.end);
  }
  return (offset: number) => {
    let lo = 0;
    let hi = marks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (marks[mid].at <= offset) lo = mid;
      else hi = mid - 1;
    }
    return marks[lo].path;
  };
}

/** True when two paths lie in different branches of one #if group: never compiled together. */
export function exclusive(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const m = new Map(a.split('/').map((p) => p.split(':') as [string, string]));
  for (const p of b.split('/')) {
    const [g, br] = p.split(':');
    const other = m.get(g);
    if (other !== undefined && other !== br) return true;
  }
  return false;
}

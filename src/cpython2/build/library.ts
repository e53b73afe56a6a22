// The static library a configured tree's Makefile builds: `LIBRARY= libpython$(VERSION).a`, so
// libpython2.4.a on 2.4 and libpython2.7.a on 2.7. Read from the Makefile configure wrote, never
// spelled out per version: the build's check phase and the products linked against it (pymt)
// take the name from here.
import { makeWords, parseMakeVars } from '../audit/makefile.ts';

/** LIBRARY of a configured Makefile, expanded (libpython2.7.a); undefined when it has none. */
export function libraryName(makefileText: string): string | undefined {
  const vars = parseMakeVars(makefileText);
  return makeWords(vars, 'LIBRARY')[0];
}

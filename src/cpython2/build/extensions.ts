// What 2.4's setup.py tries to build on Linux, and why a module may be missing afterwards.
// 2.4's setup.py stays silent about modules whose headers or libraries it does not find
// (it only prints "building 'x' extension" for those it attempts, and hides compile failures
// behind a DEBUG-level message), so "what failed" has to be worked out against this list.

export interface ExtensionCandidate {
  name: string;
  /** Only attempted when sys.maxint is 32-bit (setup.py disables it on 64-bit hosts). */
  only32bit?: boolean;
  /** What the module needs, shown when it is missing: the usual reason on a modern Linux. */
  needs?: string;
}

/** Every extension 2.4.6's setup.py can attempt on linux2, in setup.py order. */
export const linuxExtensionCandidates: ExtensionCandidate[] = [
  { name: 'struct' },
  { name: 'regex' },
  { name: '_hotshot' },
  { name: '_weakref' },
  { name: 'array' },
  { name: 'cmath' },
  { name: 'math' },
  { name: 'strop' },
  { name: 'time' },
  { name: 'datetime' },
  { name: '_random' },
  { name: 'collections' },
  { name: '_bisect' },
  { name: '_heapq' },
  { name: 'itertools' },
  { name: 'operator' },
  { name: '_testcapi' },
  { name: 'unicodedata' },
  { name: '_locale' },
  { name: 'fcntl' },
  { name: 'pwd' },
  { name: 'grp' },
  { name: 'select' },
  { name: 'md5' },
  { name: 'sha' },
  { name: 'binascii' },
  { name: 'parser' },
  { name: 'cStringIO' },
  { name: 'cPickle' },
  { name: 'mmap' },
  { name: 'syslog' },
  { name: 'timing' },
  { name: 'audioop' },
  { name: 'imageop', only32bit: true },
  { name: 'rgbimg', only32bit: true },
  { name: 'readline', needs: 'readline or libedit headers and library (libreadline-dev)' },
  { name: 'crypt', needs: 'libcrypt (found through the multiarch library_dirs in setup.cfg)' },
  { name: '_csv' },
  { name: '_socket' },
  {
    name: '_ssl',
    needs: "OpenSSL < 1.1: 2.4's _ssl.c reaches into structs that OpenSSL 1.1+ made opaque",
  },
  { name: '_bsddb', needs: 'Berkeley DB 3.2-4.3 headers and library (db.h of a supported version)' },
  { name: 'dbm', needs: 'ndbm.h, gdbm/ndbm.h with libgdbm, or Berkeley DB' },
  { name: 'gdbm', needs: 'libgdbm (libgdbm-dev)' },
  { name: 'termios' },
  { name: 'resource' },
  {
    name: 'nis',
    needs: 'Sun RPC headers (rpc/rpc.h): glibc dropped them and 2.4 does not search libtirpc',
  },
  { name: '_curses', needs: 'ncurses headers and library (libncurses-dev)' },
  { name: '_curses_panel', needs: 'ncurses panel library (libncurses-dev)' },
  { name: 'zlib', needs: 'zlib headers and library (zlib1g-dev)' },
  { name: 'bz2', needs: 'libbz2 headers and library (libbz2-dev)' },
  { name: 'pyexpat' },
  { name: '_multibytecodec' },
  { name: '_codecs_kr' },
  { name: '_codecs_jp' },
  { name: '_codecs_cn' },
  { name: '_codecs_tw' },
  { name: '_codecs_hk' },
  { name: '_codecs_iso2022' },
  { name: 'dl', only32bit: true },
  { name: 'linuxaudiodev' },
  { name: 'ossaudiodev' },
  { name: '_tkinter', needs: 'Tcl/Tk 8.0-8.4 headers and libraries' },
];

/** Candidates for this host: drops 32-bit-only modules on 64-bit and modules linked into python. */
export function expectedExtensions(opts: { is64bit: boolean; builtins?: Iterable<string> }): string[] {
  const builtins = new Set(opts.builtins ?? []);
  return linuxExtensionCandidates
    .filter((c) => !(c.only32bit && opts.is64bit) && !builtins.has(c.name))
    .map((c) => c.name);
}

/** Modules linked into python by Modules/Setup, read from the Makefile's MODOBJS object list. */
export function builtinsFromModobjs(modobjs: string): string[] {
  return modobjs
    .split(/\s+/)
    .filter((o) => o.endsWith('.o'))
    .map((o) => o.replace(/^.*\//, '').replace(/\.o$/, ''))
    .map((b) => (b.endsWith('module') ? b.slice(0, -'module'.length) : b));
}

export function extensionNeeds(name: string): string | undefined {
  return linuxExtensionCandidates.find((c) => c.name === name)?.needs;
}

// The command list, light: names and one-line descriptions for the top-level help. A command's
// options and implementation (and with them tree-sitter and the library) load only when it runs,
// so `pyglobal --help` starts in a fraction of the time.
import type { CommandEntry } from './types.ts';

export const commands: CommandEntry[] = [
  {
    command: 'scan [src]',
    describe: 'List every global variable of a CPython 2.4 tree, how it is classified, and why',
    load: async () => (await import('./scan.ts')).scanCommand,
  },
  {
    command: 'apply [src]',
    describe: 'Rewrite a tree: PYGLOBAL on every thread-local global, moved initializers, generated per-thread init',
    load: async () => (await import('./apply.ts')).applyCommand,
  },
  {
    command: 'check [src]',
    describe: 'CI gate: fail when a global is neither thread-local nor reviewed as shared',
    load: async () => (await import('./check.ts')).checkCommand,
  },
  {
    command: 'build [src]',
    describe: 'copy a CPython 2.4 tree and build it (stock or thread-local variant)',
    load: async () => (await import('./build.ts')).buildCommand,
  },
  {
    command: 'audit <dir>',
    describe: 'Read the object files of a build and check that the scan knows every writable global',
    load: async () => (await import('./audit.ts')).auditCommand,
  },
  {
    command: 'test <build>',
    describe: 'run the regression suite in one interpreter (a), split over N concurrent interpreters (b), and a stress of N simultaneous lifecycles (c)',
    load: async () => (await import('./test.ts')).testCommand,
  },
  {
    command: 'demo [src]',
    describe: 'The whole pipeline on the bundled fixture: scan, apply, check, compile, N threads (and TSan)',
    load: async () => (await import('./demo.ts')).demoCommand,
  },
];

// How libpython is linked and which TLS model the core's thread-local globals get. Today's
// build is 'static': libpython2.4.a in the executable, where Include/pyglobal.h makes the
// core local-exec. The others exist to be measured (bench/tls-models.ts, issue 10):
//   shared       --enable-shared: libpython2.4.so, the compiler's general-dynamic model
//                (a __tls_get_addr call per access, unless the linker relaxes it);
//   shared-gnu2  the same, compiled -mtls-dialect=gnu2 (TLS descriptors: a cheap indirect
//                call instead of __tls_get_addr) on every compile, extensions too;
//   shared-ie    the same, the core (Py_BUILD_CORE only) initial-exec through
//                PYGLOBAL_TLS_INITIAL_EXEC: valid while libpython is loaded when the program
//                starts, never dlopen'ed (it takes static TLS space). Extensions keep the
//                default, since they are dlopen'ed.

export type LinkModel = 'static' | 'shared' | 'shared-gnu2' | 'shared-ie';
export const linkModels: LinkModel[] = ['static', 'shared', 'shared-gnu2', 'shared-ie'];

export interface LinkModelFlags {
  /** Added to BASECFLAGS, so every compile (core and setup.py's) carries them, and the flag check holds them to it. */
  basecflags: string[];
  configureArgs: string[];
  /** The built python needs libpython2.4.so from the build folder while the build runs it. */
  shared: boolean;
}

export function linkModelFlags(model: LinkModel): LinkModelFlags {
  const shared = model !== 'static';
  return {
    basecflags: model === 'shared-gnu2' ? ['-mtls-dialect=gnu2'] : model === 'shared-ie' ? ['-DPYGLOBAL_TLS_INITIAL_EXEC'] : [],
    configureArgs: shared ? ['--enable-shared'] : [],
    shared,
  };
}

/** The environment that lets a shared build's python find its libpython2.4.so. */
export function sharedEnv(env: NodeJS.ProcessEnv, out: string): NodeJS.ProcessEnv {
  return { ...env, LD_LIBRARY_PATH: [out, env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

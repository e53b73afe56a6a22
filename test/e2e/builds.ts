// The builds the end-to-end tests run on, one per CPython version: PYGLOBAL_TLS_BUILD (2.4's
// `pyglobal build --variant tls` output) and PYGLOBAL_TLS27_BUILD (2.7's), and the same for the
// stock variant. What differs between them is read from the build (pyglobal-build.json: its
// version and libpython), never assumed; a variable that is unset gives one skip line.
import fs from 'node:fs';
import path from 'node:path';

export interface E2eBuild {
  /** The environment variable that names it. */
  env: string;
  /** The directory, when the variable is set. */
  dir?: string;
  /** CPython version, from pyglobal-build.json (or the libpython's name), when known. */
  version?: string;
  /** The static libpython to link a host against. */
  libpython?: string;
  /** The rewritten tree it was built from (pyglobal-build.json's src), for `--python`. */
  src?: string;
  /** How the tests name it: "2.7.6 tls build" or the variable. */
  label: string;
}

export const tlsBuildVars = ['PYGLOBAL_TLS_BUILD', 'PYGLOBAL_TLS27_BUILD'] as const;
export const stockBuildVars = ['PYGLOBAL_STOCK_BUILD', 'PYGLOBAL_STOCK27_BUILD'] as const;

/** What the build directory says about itself: pyglobal-build.json first, then the libpython*.a in it. */
export function describeBuild(env: string, dir: string | undefined, variant: string): E2eBuild {
  if (!dir) return { env, label: env };
  let version: string | undefined;
  let libpython: string | undefined;
  let src: string | undefined;
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'pyglobal-build.json'), 'utf8'));
    if (typeof meta.version === 'string') version = meta.version;
    if (typeof meta.libpython === 'string' && fs.existsSync(meta.libpython)) libpython = meta.libpython;
    if (typeof meta.src === 'string' && fs.existsSync(meta.src)) src = meta.src;
  } catch {
    /* a build made by hand: look at its files */
  }
  if (!libpython) {
    const lib = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^libpython\d+\.\d+\.a$/.test(f)) : undefined;
    if (lib) libpython = path.join(dir, lib);
  }
  if (!version && libpython) version = /libpython(\d+\.\d+)\.a$/.exec(libpython)![1];
  return { env, dir, version, libpython, src, label: `${version ?? env} ${variant} build` };
}

/** One entry per variable, set or not. */
export function e2eBuilds(vars: readonly string[], variant: string): E2eBuild[] {
  return vars.map((env) => describeBuild(env, process.env[env], variant));
}

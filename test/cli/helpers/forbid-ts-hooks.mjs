// Module hooks of forbid-ts.mjs: any import that resolves to a .ts file or into tsx throws.
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/\.ts$/.test(r.url) || /\/node_modules\/tsx\//.test(r.url)) throw new Error(`compiled CLI imported ${r.url}`);
  return r;
}

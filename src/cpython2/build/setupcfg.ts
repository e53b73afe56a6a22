// 2.4's setup.py does not search Debian's multiarch library folder, so zlib, bz2, readline and
// crypt are silently left out. distutils reads [build_ext] library_dirs from setup.cfg and
// splits it on os.pathsep (':'), so the folder is added there, keeping whatever was already set.

/** Returns setup.cfg text with `dir` in [build_ext] library_dirs; other text is kept as it was. */
export function mergeLibraryDir(existing: string | undefined, dir: string): string {
  if (existing === undefined || existing.trim() === '') {
    return `[build_ext]\nlibrary_dirs=${dir}\n`;
  }
  const nl = existing.includes('\r\n') ? '\r\n' : '\n';
  const lines = existing.split(/\r?\n/);
  const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
  let start = -1;
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]/.exec(lines[i]);
    if (!header) continue;
    if (start >= 0) {
      end = i;
      break;
    }
    if (header[1].trim() === 'build_ext') start = i;
  }
  if (start < 0) {
    const body = lines.join(nl);
    const sep = body === '' ? '' : nl + nl;
    return `${body}${sep}[build_ext]${nl}library_dirs=${dir}${nl}`;
  }
  for (let i = start + 1; i < end; i++) {
    const m = /^(\s*library[_-]dirs\s*[=:]\s*)(.*?)(\s*)$/.exec(lines[i]);
    if (!m) continue;
    const dirs = m[2].split(':').map((d) => d.trim()).filter(Boolean);
    if (!dirs.includes(dir)) dirs.push(dir);
    lines[i] = `${m[1]}${dirs.join(':')}`;
    return lines.join(nl) + (trailing !== undefined ? nl : '');
  }
  lines.splice(start + 1, 0, `library_dirs=${dir}`);
  return lines.join(nl) + (trailing !== undefined ? nl : '');
}

// Runs the CLI in-process, as bin/pyglobal.js does, capturing stdout, stderr and the exit code.
import { main } from '../../src/cli/main.ts';

export async function runCli(argv: string[], makeParser?: Parameters<typeof main>[1]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  (process.stdout as any).write = (chunk: any, ...rest: any[]) => {
    stdout += String(chunk);
    const cb = rest.find((r) => typeof r === 'function');
    if (cb) cb();
    return true;
  };
  (process.stderr as any).write = (chunk: any) => {
    stderr += String(chunk);
    return true;
  };
  // yargs prints help and usage errors through console, which vitest patches separately.
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void (stdout += a.join(' ') + '\n');
  console.error = (...a: unknown[]) => void (stderr += a.join(' ') + '\n');
  try {
    const code = await main(argv, makeParser);
    return { code, stdout, stderr };
  } finally {
    (process.stdout as any).write = out;
    (process.stderr as any).write = err;
    console.log = log;
    console.error = error;
  }
}

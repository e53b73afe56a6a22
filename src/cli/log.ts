// Everything human-readable that is not the report goes to stderr, so --json stdout stays pure.
import chalk from 'chalk';

export function logError(msg: string): void {
  process.stderr.write(`${chalk.red('error')}: ${msg}\n`);
}
export function logWarn(msg: string): void {
  process.stderr.write(`${chalk.yellow('warning')}: ${msg}\n`);
}
export function logInfo(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/** A one-line progress display on a TTY, plain lines elsewhere (CI logs). */
export function progress(label: string): { update(msg: string): void; done(msg?: string): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(msg: string) {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${chalk.dim(label)} ${msg}`);
      } else {
        const now = Date.now();
        if (now - last > 5000) {
          process.stderr.write(`${label} ${msg}\n`);
          last = now;
        }
      }
    },
    done(msg?: string) {
      if (tty) process.stderr.write('\r\x1b[2K');
      if (msg) process.stderr.write(`${label} ${msg}\n`);
    },
  };
}

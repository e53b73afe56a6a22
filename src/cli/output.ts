// Reports go to stdout or to --output. A closed pipe (pyglobal scan | head) is not an error.
import fs from 'node:fs';

export async function writeReport(text: string, output?: string): Promise<void> {
  if (output) {
    fs.writeFileSync(output, text);
    return;
  }
  await new Promise<void>((resolve) => {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') resolve();
    });
    process.stdout.write(text, () => resolve());
  });
}

// Whether this machine's gcc can build and link -fsanitize=thread; the e2e tests that need it
// skip their ThreadSanitizer half otherwise, saying so once.
import { spawnSync } from 'node:child_process';

export const hasTsan = spawnSync('sh', ['-c', 'echo "int main(void){return 0;}" | gcc -fsanitize=thread -x c - -o /dev/null'], { encoding: 'utf8' }).status === 0;
if (!hasTsan) console.log('skipping the ThreadSanitizer half: gcc here cannot link -fsanitize=thread');

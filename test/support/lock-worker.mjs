// One contender for the embedded-data lock (test/reliability/concurrency.test.ts):
// takes and releases it `rounds` times, logging + on entry and - on exit.
import { appendFileSync } from 'node:fs';

const [module, dataDir, log, rounds] = process.argv.slice(2);
const { lockDataDir } = await import(module);
for (let i = 0; i < Number(rounds); i++) {
  const unlock = await lockDataDir(dataDir, 60_000);
  appendFileSync(log, '+\n');
  await new Promise((resolve) => setTimeout(resolve, 1));
  appendFileSync(log, '-\n');
  unlock();
}

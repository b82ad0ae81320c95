// Loaded with `node --import ./test/support/trace-imports.mjs …`: records every module
// the process resolves (ESM imports, and the first require of each CommonJS package
// imported from ESM) as one URL per line in the file named by TODO_DB_TRACE_IMPORTS.
// test/startup.test.ts reads it to prove `--version` and `--help` load no driver.
import { register } from 'node:module';

const file = process.env.TODO_DB_TRACE_IMPORTS;
if (file) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    const file = ${JSON.stringify(file)};
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(file, result.url + '\\n');
      return result;
    }`;
  // The hooks run on the loader thread; a data: URL keeps them in this one file.
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url);
}

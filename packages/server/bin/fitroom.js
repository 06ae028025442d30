#!/usr/bin/env node
// The `fitroom` command. Runs the compiled CLI; `npm install` builds it (the root `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('fitroom: the server is not built yet; run `npm install` (or `npm run build`) at the repository root.');
  process.exit(1);
}
await import(cli.href);

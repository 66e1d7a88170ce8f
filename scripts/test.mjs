#!/usr/bin/env node
// Runs the compiled test files with node:test. The files are listed here rather than given as
// a directory: `node --test dist/test/` runs them on Node 20 but is refused on Node 22 and 24
// (there the arguments are glob patterns), and Node 20 has no globs. Extra arguments are passed
// to node --test (`npm test -- --test-name-pattern=keep-alive`).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = 'dist/test';
// A test that hangs fails after this, instead of holding CI until its own limit.
const TEST_TIMEOUT = '--test-timeout=120000';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return testFiles(path);
      return entry.name.endsWith('.test.js') ? [path] : [];
    })
    .sort();
}

const files = testFiles(ROOT);
if (files.length === 0) {
  console.error(`test: no *.test.js under ${ROOT}; run \`npm run build\` first.`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', TEST_TIMEOUT, ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);

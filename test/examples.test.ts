/**
 * Every file in examples/ runs as its header says (`node examples/<file>.mjs`, importing the
 * package by name) and prints what it promises.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXPECTED: Record<string, RegExp> = {
  'subscribe-local.mjs': /received 3 results; closed cleanly\n$/,
  'chat-app.mjs': /^\{"data":\{"onPost":\{"room":"lobby","text":"the build is red","priority":3\}\}\}\nrefused: Unauthorized: Not Authorized to access onPost on type Subscription\nstored: fyi, the build is red\n$/,
  'mutation-to-subscription.mjs': /^\{"data":\{"onCreateMessage":\{"id":"[^"]+","room":"lobby","text":"hello"\}\}\}\ncaught before sending: .*listMesages/,
};

test('every example runs with `node examples/<file>` and prints what it promises', async () => {
  const files = readdirSync(new URL('examples/', `file://${ROOT}/`)).filter((f) => f.endsWith('.mjs')).sort();
  assert.deepEqual(files, Object.keys(EXPECTED).sort(), 'each example needs its expected output here');
  await Promise.all(
    files.map(async (file) => {
      const { stdout } = await promisify(execFile)(process.execPath, [`examples/${file}`], { cwd: ROOT, timeout: 20_000 });
      assert.match(stdout, EXPECTED[file] ?? /$^/, `${file} printed:\n${stdout}`);
    }),
  );
});

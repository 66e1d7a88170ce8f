#!/usr/bin/env node
/**
 * The package as a user gets it: `npm pack` (which builds on `prepack`) into a temporary
 * directory, `npm install` of that tarball into a fresh app beside graphql@16.9.0 from the
 * registry (an app on an older 16.x than the repository's own tests, which run the newest), then:
 *
 * - the tarball holds what the package needs (dist, sources for the source maps, LICENSE) and
 *   every source map points at a file that is in it;
 * - test/package/esm.mjs: an ES module, the app's own GraphQLSchema given to `Client`;
 * - test/package/cjs.cjs: CommonJS, `require('appsync-websockets')`;
 * - `npx appsync-websockets --help` and `--version`;
 * - `tsc --noEmit` (the repository's tsc), strict with skipLibCheck off, under `nodenext`
 *   (ESM and CommonJS files), `bundler`, and `bundler` without @types/node (a browser app);
 * - the same ESM check and nodenext tsc with graphql@16.4.0, the oldest the peer range admits.
 *
 *   node scripts/pack-check.mjs [<node bin dir>…] [--keep]
 *
 * Each extra argument is a directory holding another `node` (what `.ci/node-versions.sh`
 * prints): the runtime checks (ESM, CommonJS, CLI) run again with it. `--keep` leaves the
 * temporary directory and prints its path. Run by `.ci/run`; takes about 15 s from a warm npm cache.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(ROOT, 'test/package');
const GRAPHQL_PINNED = '16.9.0';
/** No single step takes more than this; a hung fixture fails instead of holding CI. */
const COMMAND_TIMEOUT_MS = 5 * 60_000;
const GRAPHQL_OLDEST = '16.4.0'; // 16.0–16.3 lack getArgumentValues in graphql's root export, which the local AppSync imports
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const nodeBins = args.filter((a) => !a.startsWith('--'));
const started = Date.now();

const work = mkdtempSync(join(tmpdir(), 'appsync-websockets-pack-'));
const app = join(work, 'app');
let failed = false;

/** Runs a command, echoing it; throws with its output when it fails. */
function run(file, argv, { cwd = app, env = {}, capture = false } = {}) {
  const t = Date.now();
  const result = spawnSync(file, argv, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' });
  const shown = [file, ...argv].map((a) => a.replace(work, '$TMP').replace(ROOT, '.')).join(' ');
  if (result.error?.code === 'ETIMEDOUT') {
    throw new Error(`pack-check: \`${shown}\` did not finish within ${COMMAND_TIMEOUT_MS / 1000} s (a hang):\n${result.stdout}${result.stderr}`);
  }
  if (result.status !== 0) {
    throw new Error(`pack-check: \`${shown}\` exited ${result.status ?? result.signal}:\n${result.stdout}${result.stderr}`);
  }
  console.log(`  ok  ${shown} (${Date.now() - t} ms)${capture ? '' : result.stdout.trim() ? `: ${result.stdout.trim().split('\n').at(-1)}` : ''}`);
  return result.stdout;
}

const npm = (argv, options) => run('npm', [...argv, '--no-audit', '--no-fund', '--loglevel=error'], options);

/** The version of `name` the repository's lock file installs (the fixture uses the same). */
function lockedVersion(name) {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  return lock.packages[`node_modules/${name}`].version;
}

/** Every source map in the tarball points at sources that are in it too. */
function checkTarball(tarball) {
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const files = new Set(listing.map((f) => f.replace(/^package\//, '')));
  for (const needed of ['LICENSE', 'README.md', 'package.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/testing/index.js', 'dist/browser/appsync-websockets.js']) {
    if (!files.has(needed)) throw new Error(`pack-check: the tarball has no ${needed}; it holds ${files.size} files.`);
  }
  execFileSync('tar', ['xzf', tarball, '-C', work]);
  const missing = [];
  let maps = 0;
  for (const file of files) {
    if (!file.endsWith('.map')) continue;
    maps++;
    const map = JSON.parse(readFileSync(join(work, 'package', file), 'utf8'));
    for (const source of map.sources) {
      const target = posix.normalize(posix.join(posix.dirname(file), map.sourceRoot ?? '', source));
      if (!files.has(target)) missing.push(`${file} → ${target}`);
    }
  }
  if (missing.length > 0) throw new Error(`pack-check: source maps point at files the tarball does not hold:\n  ${missing.slice(0, 10).join('\n  ')}`);
  console.log(`  ok  tarball: ${files.size} files, ${maps} source maps, every source present`);
}

function runtimeChecks(nodeBin) {
  const env = nodeBin ? { PATH: `${nodeBin}:${process.env.PATH}` } : {};
  const node = nodeBin ? join(nodeBin, 'node') : process.execPath;
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`- runtime on Node ${version}`);
  run(node, ['esm.mjs'], { env });
  run(node, ['cjs.cjs'], { env });
  const help = run('npx', ['--no-install', 'appsync-websockets', '--help'], { env, capture: true });
  if (!/subscribe \[options\] <url>/.test(help) || !/serve \[options\]/.test(help)) throw new Error(`pack-check: \`appsync-websockets --help\` does not list the commands:\n${help}`);
  const printed = run('npx', ['--no-install', 'appsync-websockets', '--version'], { env, capture: true }).trim();
  const expected = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  if (printed !== expected) throw new Error(`pack-check: \`appsync-websockets --version\` printed ${JSON.stringify(printed)}, expected ${expected}.`);
}

function tsc(project) {
  run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project]);
}

try {
  console.log(`pack-check in ${work}`);
  // prepack's build also writes to stdout: the JSON is the array that starts a line.
  const packOutput = npm(['pack', '--json', '--pack-destination', work], { cwd: ROOT, capture: true });
  const packed = JSON.parse(packOutput.slice(packOutput.search(/^\[/m)));
  const tarball = join(work, packed[0].filename);
  console.log(`  tarball ${packed[0].filename}: ${(packed[0].size / 1024).toFixed(0)} KB packed, ${(packed[0].unpackedSize / 1024).toFixed(0)} KB unpacked`);
  checkTarball(tarball);

  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'fixture-app', private: true, version: '1.0.0' }, null, 2)}\n`);
  // One install with everything: the tarball, graphql from the registry, @types/node for tsc.
  npm(['install', '--prefer-offline', tarball, `graphql@${GRAPHQL_PINNED}`, `@types/node@${lockedVersion('@types/node')}`]);
  const nested = readdirSync(join(app, 'node_modules/appsync-websockets'), { withFileTypes: true }).some((d) => d.name === 'node_modules');
  if (nested) throw new Error('pack-check: npm nested dependencies under appsync-websockets/node_modules (a second graphql?).');

  runtimeChecks(undefined);
  console.log('- types (tsc from the repository)');
  tsc('tsconfig.nodenext.json');
  tsc('tsconfig.bundler.json');
  tsc('tsconfig.browser.json');
  for (const bin of nodeBins) runtimeChecks(bin);

  console.log(`- graphql@${GRAPHQL_OLDEST}, the oldest the peer range admits`);
  npm(['install', '--prefer-offline', `graphql@${GRAPHQL_OLDEST}`]);
  run(process.execPath, ['esm.mjs']);
  tsc('tsconfig.nodenext.json');
  console.log(`pack-check: all ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  if (keep || failed) console.log(`pack-check: left ${work} for a look`);
  else rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

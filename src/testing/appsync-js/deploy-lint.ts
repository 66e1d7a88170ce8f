/**
 * The deploy check of APPSYNC_JS code with AWS's own rules, `@aws-appsync/eslint-plugin`, run by
 * ESLint's `Linter`. Where the plugin loads with a TypeScript it supports (^5: its peer), its
 * `recommended` configuration runs whole, the type-aware rules (recursion, passing functions,
 * disallowed methods…) on a TypeScript program made of the code alone, in memory. Elsewhere (the
 * project has TypeScript 7, whose compiler API the plugin cannot use) its `base` configuration
 * runs (for, while, try, regex literals, classes, `this`, async/await, generators, labels,
 * `continue`, `in`, `instanceof`, `++`/`--`/`~`, re-assigning `ctx`…) with ESLint's default parser:
 * the plugin's entry point loads the TypeScript parser even for those, so each rule file is loaded
 * on its own, by the names the entry point gives them. The packages are the user's, resolved from
 * `from` (the template's folder by default); when they are not there the check is skipped, and
 * `serve` says so.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CodeSource } from '../template/model.js';
import { TemplateError } from '../template/template-error.js';

/** One piece of code to check and the resource it belongs to. */
export interface LintTarget {
  source: CodeSource;
  resource: string;
}

export interface DeployLint {
  /**
   * Checks every piece of an app's code (in one TypeScript program, for the type-aware rules).
   * @throws TemplateError naming the resource, file, line and rule of the first problem.
   */
  check(targets: readonly LintTarget[]): void;
  /** `@aws-appsync/eslint-plugin 2.0.2, 17 base rules` */
  readonly description: string;
}

interface LintMessage {
  ruleId: string | null;
  message: string;
  line: number;
  column: number;
  fatal?: boolean;
}

interface LinterLike {
  verify(code: string, config: unknown[], options: { filename: string }): LintMessage[];
}

/** The rules of the plugin's `base` configuration, each loaded from its own file. */
export function baseRules(pluginDir: string, requireFrom: NodeJS.Require): Record<string, unknown> {
  const entry = readFileSync(join(pluginDir, 'lib', 'index.js'), 'utf8');
  // `const no_for_1 = __importDefault(require("./rules/no-for"));` … `'no-for': no_for_1.default,` … `base: { … rules: { '@aws-appsync/no-for': 2, … } }`
  const files = new Map([...entry.matchAll(/const (\w+) = __importDefault\(require\("\.\/rules\/([\w-]+)"\)\)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const variables = new Map([...entry.matchAll(/'([\w-]+)': (\w+)\.default/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const base = /\bbase: \{[\s\S]*?rules: \{([\s\S]*?)\}/.exec(entry)?.[1] ?? '';
  const names = [...base.matchAll(/'@aws-appsync\/([\w-]+)': 2/g)].map((m) => m[1] ?? '');
  const rules: Record<string, unknown> = {};
  for (const name of names) {
    const file = files.get(variables.get(name) ?? '');
    if (file === undefined) continue;
    const loaded = requireFrom(join(pluginDir, 'lib', 'rules', `${file}.js`)) as { default?: unknown };
    rules[name] = loaded.default ?? loaded;
  }
  if (Object.keys(rules).length === 0) throw new Error(`no base rules found in ${join(pluginDir, 'lib', 'index.js')} (its layout changed)`);
  return rules;
}

interface TypeScriptLike {
  version: string;
  ScriptTarget: { ES2022: number };
  ModuleKind: { ESNext: number };
  ScriptKind: { JS: number };
  createCompilerHost(options: object): { getSourceFile(name: string, language: unknown, ...rest: unknown[]): unknown; fileExists(name: string): boolean; readFile(name: string): string | undefined };
  createSourceFile(name: string, text: string, language: unknown, setParents: boolean, kind: number): unknown;
  createProgram(options: { rootNames: string[]; options: object; host: object; oldProgram?: unknown }): unknown;
}

/**
 * The whole `recommended` configuration, when the plugin, its TypeScript parser and a
 * TypeScript 5 (or older) load from `requireFrom`; undefined otherwise.
 */
function recommended(requireFrom: NodeJS.Require, from: string, version: string): DeployLint | undefined {
  let ts: TypeScriptLike;
  let plugin: { configs: { recommended: { rules: Record<string, unknown> } } };
  let parser: unknown;
  let Linter: new (options: { configType: 'flat'; cwd: string }) => LinterLike;
  try {
    ts = requireFrom('typescript') as TypeScriptLike;
    if (Number(ts.version.split('.')[0]) > 5) return undefined;
    plugin = requireFrom('@aws-appsync/eslint-plugin') as typeof plugin;
    parser = requireFrom('@typescript-eslint/parser');
    ({ Linter } = requireFrom('eslint') as { Linter: typeof Linter });
  } catch {
    return undefined;
  }
  // Each piece of code is a file of one program, in memory; only the standard library is read
  // (ES2022 without the DOM, which APPSYNC_JS does not have), once.
  const options = { allowJs: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, lib: ['lib.es2022.d.ts'] };
  const host = ts.createCompilerHost(options);
  const libraries = new Map<string, unknown>();
  let files = new Map<string, string>();
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => {
    const text = files.get(name);
    if (text !== undefined) return ts.createSourceFile(name, text, language, true, ts.ScriptKind.JS);
    if (!libraries.has(name)) libraries.set(name, getSourceFile(name, language, ...rest));
    return libraries.get(name);
  };
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  const linter = new Linter({ configType: 'flat', cwd: from });
  const rules = plugin.configs.recommended.rules;
  return {
    description: `@aws-appsync/eslint-plugin ${version}, ${Object.keys(rules).length} recommended rules (TypeScript ${ts.version})`,
    check(targets) {
      const named = targets.map((target, i) => ({ ...target, fileName: join(from, `__appsync_js_${i}__.js`) }));
      files = new Map(named.map((t) => [t.fileName, t.source.text]));
      const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
      const config = [{ plugins: { '@aws-appsync': plugin }, languageOptions: { parser, parserOptions: { programs: [program] } }, rules }];
      for (const target of named) report(linter.verify(target.source.text, config, { filename: target.fileName }), target.source, target.resource);
    },
  };
}

function report(messages: LintMessage[], source: CodeSource, resource: string): void {
  const problems = messages.filter((m) => !m.fatal);
  const first = problems[0];
  if (first === undefined) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new TemplateError(`AppSync would refuse to deploy this code: ${first.message} (${first.ruleId ?? 'eslint'}, column ${first.column})${more}.`, { resource, file: source.file, line: source.firstLine + first.line - 1 });
}

/**
 * Loaded checks by folder: loading ESLint, the plugin and TypeScript, and TypeScript's first
 * reading of its standard library, take about 2 s; a server started again (tests, `--watch`)
 * reuses them.
 */
const loaded = new Map<string, DeployLint | { unavailable: string }>();

/** The check, or why it cannot run here (the packages are missing). */
export function loadDeployLint(from: string): DeployLint | { unavailable: string } {
  const known = loaded.get(from);
  if (known !== undefined) return known;
  const made = load(from);
  loaded.set(from, made);
  return made;
}

function load(from: string): DeployLint | { unavailable: string } {
  const requireFrom = createRequire(join(from, 'package.json'));
  let Linter: new (options: { configType: 'flat' }) => LinterLike;
  let pluginDir: string;
  let version: string;
  try {
    ({ Linter } = requireFrom('eslint') as { Linter: typeof Linter });
    const manifest = requireFrom.resolve('@aws-appsync/eslint-plugin/package.json');
    pluginDir = dirname(manifest);
    version = String((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version);
  } catch {
    return { unavailable: `eslint and @aws-appsync/eslint-plugin are not installed where ${from} can reach them (npm install --save-dev eslint @aws-appsync/eslint-plugin)` };
  }
  const whole = recommended(requireFrom, from, version);
  if (whole !== undefined) return whole;
  const rules = baseRules(pluginDir, requireFrom);
  const linter = new Linter({ configType: 'flat' });
  const config = [
    {
      files: ['**/*.js'],
      plugins: { '@aws-appsync': { rules } },
      languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
      rules: Object.fromEntries(Object.keys(rules).map((name) => [`@aws-appsync/${name}`, 2])),
    },
  ];
  return {
    description: `@aws-appsync/eslint-plugin ${version}, ${Object.keys(rules).length} base rules`,
    check(targets) {
      for (const { source, resource } of targets) report(linter.verify(source.text, config, { filename: 'resolver.js' }), source, resource);
    },
  };
}

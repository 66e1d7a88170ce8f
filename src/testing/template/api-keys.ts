/**
 * The keys the local AppSync makes for a template's `AWS::AppSync::ApiKey` resources: new ones
 * each start, or, with a data directory (`--data-dir`), the same ones on every start, kept beside
 * the data, so a saved `APPSYNC_API_KEY` keeps working as the data does.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateError } from './template-error.js';

/** The file in the data directory (dynalite's LevelDB leaves files of other names alone). */
const API_KEYS_FILE = 'appsync-api-keys.json';
/** `da2-` and 26 lowercase letters and digits, as AppSync's keys look. */
const API_KEY = /^da2-[a-z0-9]{26}$/;

function newApiKey(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `da2-${[...randomBytes(26)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/** One key per logical id, in order; kept in `dataDir` when given. @throws TemplateError for a kept file that is not ours */
export function templateApiKeys(logicalIds: readonly string[], dataDir: string | undefined, templateFile: string): string[] {
  if (dataDir === undefined) return logicalIds.map(() => newApiKey());
  const file = join(dataDir, API_KEYS_FILE);
  let kept: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined; // the first start with this directory
  }
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TemplateError(`keeps its API keys in ${file}, which is not the JSON object of keys by resource it writes: delete it to get new keys.`, { file: templateFile });
    }
    kept = parsed as Record<string, unknown>;
  }
  const keys = logicalIds.map((id) => {
    const known = Object.hasOwn(kept, id) ? kept[id] : undefined;
    return typeof known === 'string' && API_KEY.test(known) ? known : newApiKey();
  });
  // Keys of resources the template no longer has stay: an edit back finds them again.
  const next = { ...kept, ...Object.fromEntries(logicalIds.map((id, i) => [id, keys[i]])) };
  if (JSON.stringify(next) !== JSON.stringify(kept)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  }
  return keys;
}

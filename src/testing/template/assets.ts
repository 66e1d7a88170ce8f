/**
 * Where the files a template points at are on this machine: `CodeS3Location` and
 * `DefinitionS3Location` that a CDK app synthesized (`s3://cdk-…-assets-…/<hash>.js`, found through
 * the `<Stack>.assets.json` manifests beside the template in `cdk.out`), a CDK Lambda's
 * `aws:asset:path`, or a path relative to the template (as `aws cloudformation package` takes).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { TemplateError } from './template-error.js';

interface AssetManifest {
  files?: Record<string, { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }>;
}

export class AssetFinder {
  readonly #dir: string;
  readonly #file: string;
  #objects: Map<string, string> | undefined;

  constructor(templateFile: string) {
    this.#file = templateFile;
    this.#dir = dirname(resolve(templateFile));
  }

  /** The local path of a `CodeS3Location`-style value, or a TemplateError saying what to do. */
  locate(location: unknown, property: string, resource: string): string {
    if (typeof location !== 'string') {
      throw new TemplateError(`${property} must be a string (an s3:// URL or a path), but is ${JSON.stringify(location)}.`, { file: this.#file, resource });
    }
    const s3 = /^s3:\/\/[^/]+\/(.+)$/.exec(location);
    if (s3 === null) {
      const path = isAbsolute(location) ? location : join(this.#dir, location);
      if (!existsSync(path)) throw new TemplateError(`${property} ${location} is not a file (looked for ${path}).`, { file: this.#file, resource });
      return path;
    }
    const key = s3[1] ?? '';
    const found = this.#objectsByKey().get(key) ?? [join(this.#dir, `asset.${key}`), join(this.#dir, key)].find((p) => existsSync(p));
    if (found === undefined) {
      throw new TemplateError(
        `${property} ${location} is in S3, and no CDK asset beside the template has the key ${key}: run the local AppSync on cdk.out/<Stack>.template.json after \`cdk synth\`, or set ${property} to a path relative to the template.`,
        { file: this.#file, resource },
      );
    }
    return found;
  }

  /** A path relative to the template's folder (CDK's `aws:asset:path`), if it exists. */
  relative(path: string): string | undefined {
    const full = join(this.#dir, path);
    return existsSync(full) ? full : undefined;
  }

  /** S3 object keys → local files, from every `*.assets.json` in the template's folder. */
  #objectsByKey(): Map<string, string> {
    if (this.#objects) return this.#objects;
    this.#objects = new Map();
    for (const name of readdirSync(this.#dir).filter((n) => n.endsWith('.assets.json'))) {
      let manifest: AssetManifest;
      try {
        manifest = JSON.parse(readFileSync(join(this.#dir, name), 'utf8')) as AssetManifest;
      } catch {
        continue; // Not a CDK manifest after all: the lookup falls back to asset.<key>.
      }
      for (const asset of Object.values(manifest.files ?? {})) {
        const source = asset.source?.path;
        if (source === undefined) continue;
        for (const destination of Object.values(asset.destinations ?? {})) {
          if (destination.objectKey !== undefined) this.#objects.set(destination.objectKey, join(this.#dir, source));
        }
      }
    }
    return this.#objects;
  }
}

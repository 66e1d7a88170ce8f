/**
 * Resolver code as AppSync's deploy checks it: JavaScript that parses, imports only
 * `@aws-appsync/utils` and `@aws-appsync/utils/dynamodb`, and exports what it must. esbuild
 * turns its ES module syntax into a function body the sandbox can run (node:vm has no ES
 * modules without a flag); a syntax error is a TemplateError naming the resource, file and line.
 */
import type { CodeSource } from '../template/model.js';
import { TemplateError } from '../template/template-error.js';
import { loadOptional } from './optional.js';

export const ALLOWED_IMPORTS = new Set(['@aws-appsync/utils', '@aws-appsync/utils/dynamodb']);

export interface CompiledCode {
  /** A CommonJS body: `exports`, `require` and `module` are given to it. */
  body: string;
  source: CodeSource;
  resource: string;
}

export async function compileCode(source: CodeSource, resource: string): Promise<CompiledCode> {
  const esbuild = await loadOptional<typeof import('esbuild')>('esbuild', 'to run APPSYNC_JS resolver code');
  let body: string;
  try {
    body = (await esbuild.transform(source.text, { loader: 'js', format: 'cjs', target: 'es2022', sourcefile: source.file, logLevel: 'silent' })).code;
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    const line = first?.location ? source.firstLine + first.location.line - 1 : undefined;
    throw new TemplateError(`the code does not parse, so AppSync would refuse to deploy it: ${first?.text ?? (error as Error).message}.`, { resource, file: source.file, line }, { cause: error });
  }
  for (const [, name = ''] of body.matchAll(/\brequire\("([^"]+)"\)/g)) {
    if (!ALLOWED_IMPORTS.has(name)) {
      const index = source.text.indexOf(name);
      const line = index < 0 ? undefined : source.firstLine + source.text.slice(0, index).split('\n').length - 1;
      throw new TemplateError(
        `the code imports ${JSON.stringify(name)}; APPSYNC_JS code can import only @aws-appsync/utils and @aws-appsync/utils/dynamodb: bundle the rest into the file (esbuild --bundle --format=esm --external:@aws-appsync/utils), as AppSync requires.`,
        { resource, file: source.file, line },
      );
    }
  }
  return { body, source, resource };
}

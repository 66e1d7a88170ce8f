/**
 * Why a template cannot run locally. A TransportConfigurationError, so `serve` reports it as a
 * usage error (exit 2) and `startLocalAppSync` rejects with it, like any other bad option.
 */
import { TransportConfigurationError } from '../../errors.js';

/** Where in the template (or a code file) the problem is. */
export interface TemplateLocation {
  /** The logical id of the resource, when the problem belongs to one. */
  resource?: string | undefined;
  /** The file, relative or absolute as it was given. */
  file?: string | undefined;
  /** 1-based line in `file`. */
  line?: number | undefined;
}

export class TemplateError extends TransportConfigurationError {
  readonly resource: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(message: string, where: TemplateLocation = {}, options?: { cause?: unknown }) {
    super(`${prefix(where)}${message}`, options);
    this.resource = where.resource;
    this.file = where.file;
    this.line = where.line;
  }
}

/** `template.yaml:12: resource CreateTodoResolver: ` */
function prefix({ resource, file, line }: TemplateLocation): string {
  const at = file === undefined ? '' : `${file}${line === undefined ? '' : `:${line}`}: `;
  return `${at}${resource === undefined ? '' : `resource ${resource}: `}`;
}

/**
 * CloudFormation's YAML: the short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub '…'`, `!Join [...]`…)
 * turned into their long forms (`{ Ref: X }`, `{ "Fn::GetAtt": "A.B" }`…), as CloudFormation
 * reads them. JSON templates are YAML too. Keeps the parsed document so that code given inline
 * can be traced back to its line in the template.
 */
import { LineCounter, parseDocument, type Document, type Tags } from 'yaml';
import { TemplateError } from './template-error.js';

/** Tags whose long form is `Fn::<Name>`. */
const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'If', 'Equals', 'And', 'Or', 'Not', 'Length', 'ToJsonString'];

function cloudFormationTags(): Tags {
  const tags: Tags = [
    { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
    { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  ];
  for (const name of FUNCTIONS) {
    const key = `Fn::${name}`;
    tags.push({ tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({ tag: `!${name}`, collection, resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }) });
    }
  }
  return tags;
}

export interface ParsedTemplate {
  /** The template as plain data, tags in their long form. */
  value: unknown;
  /** The 1-based line where the value at `path` starts (a block scalar's first line of text). */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export function parseTemplate(text: string, file: string): ParsedTemplate {
  const lineCounter = new LineCounter();
  let document: Document;
  try {
    document = parseDocument(text, { customTags: cloudFormationTags(), lineCounter, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    throw new TemplateError(`cannot be read as YAML or JSON (${(error as Error).message}).`, { file }, { cause: error });
  }
  const [first] = document.errors;
  if (first !== undefined) {
    const line = first.linePos?.[0]?.line;
    throw new TemplateError(`is not valid YAML or JSON: ${first.message.split('\n')[0]}`, { file, line });
  }
  return {
    value: document.toJS({ maxAliasCount: 100 }),
    lineOf(path) {
      const node = document.getIn(path, true) as { range?: [number, number, number]; type?: string } | undefined;
      if (node?.range === undefined) return undefined;
      const line = lineCounter.linePos(node.range[0]).line;
      return node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? line + 1 : line;
    },
  };
}

/**
 * AppSync's mutation-selection rule: a subscription receives what the triggering mutation
 * selected, not what its resolver returned. A field the mutation did not select reaches the
 * subscriber as `null` (and a non-null one as AppSync's `Cannot return null for non-nullable
 * type` error): the top cause of "works locally, null in the cloud".
 */
import { Kind, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * The mutation's response for one root field, keyed by field names instead of the mutation's
 * aliases, holding only the fields it selected (fragments merged, `@skip`ped fields absent): the
 * value AppSync publishes to the subscriptions the field feeds.
 */
export function selectedValue(response: unknown, fieldNodes: readonly FieldNode[], fragments: Record<string, FragmentDefinitionNode>): unknown {
  const sets = fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  return sets.length === 0 ? response : cut(response, sets, fragments);
}

function cut(value: unknown, sets: readonly SelectionSetNode[], fragments: Record<string, FragmentDefinitionNode>): unknown {
  if (Array.isArray(value)) return value.map((item) => cut(item, sets, fragments));
  if (typeof value !== 'object' || value === null) return value;
  const response = value as Record<string, unknown>;
  const leaves = new Map<string, unknown>();
  const visit = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        // Absent from the response: skipped, or on a fragment whose type did not match.
        if (!(key in response)) continue;
        const name = selection.name.value;
        if (selection.selectionSet === undefined) leaves.set(name, response[key]);
        else {
          // The same field under two aliases or in two fragments: their sub-selections, merged at every depth.
          const merged = cut(response[key], [selection.selectionSet], fragments);
          leaves.set(name, leaves.has(name) ? merge(leaves.get(name), merged) : merged);
        }
      } else {
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]?.selectionSet;
        if (inner) visit(inner);
      }
    }
  };
  for (const set of sets) visit(set);
  return Object.fromEntries(leaves);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Two cuts of one field: objects merged key by key, lists of one length item by item. */
function merge(before: unknown, after: unknown): unknown {
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) return after.map((item, i) => merge(before[i], item));
  if (!isObject(before) || !isObject(after)) return after;
  const out = new Map(Object.entries(before));
  for (const [key, value] of Object.entries(after)) out.set(key, out.has(key) ? merge(out.get(key), value) : value);
  return Object.fromEntries(out);
}

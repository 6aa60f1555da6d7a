import { Kind, parse, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

/**
 * How many `login` fields the operation that will run selects at its root (aliases included, each
 * one a password guess): decided on the parsed operation, not its text, so comments, whitespace,
 * aliases and fragments neither hide nor fake a login. An operation that does not parse, or names
 * no operation of the document, runs nothing: 0.
 */
export function loginAttempts(query: unknown, operationName?: unknown): number {
  if (typeof query !== "string") return 0;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return 0;
  }
  const operation = executedOperation(
    document,
    typeof operationName === "string" ? operationName : undefined,
  );
  if (operation?.operation !== "mutation") return 0;
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
    ),
  );
  const count = (set: SelectionSetNode, seen: Set<string>): number =>
    set.selections.reduce((n, s) => {
      if (s.kind === Kind.FIELD) return n + (s.name.value === "login" ? 1 : 0);
      if (s.kind === Kind.INLINE_FRAGMENT) return n + count(s.selectionSet, seen);
      const fragment = fragments.get(s.name.value);
      if (!fragment || seen.has(s.name.value)) return n;
      return n + count(fragment.selectionSet, new Set([...seen, s.name.value]));
    }, 0);
  return count(operation.selectionSet, new Set());
}

/** The operation GraphQL would execute: the named one, else the only one. */
function executedOperation(document: DocumentNode, name: string | undefined): OperationDefinitionNode | null {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (name) return operations.find((o) => o.name?.value === name) ?? null;
  return operations.length === 1 ? operations[0]! : null;
}

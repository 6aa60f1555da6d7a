import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { ErrorCode } from "@junggo/runtime";

export interface OperationLimits {
  /** Deepest field nesting allowed (introspection fields are not counted). */
  maxDepth: number;
  /** Highest estimated cost: every field costs 1, times the page size of the lists it sits in. */
  maxCost: number;
  /** Page size assumed for a list without `first` (and for `first` given as a variable). */
  assumedListSize: number;
}

export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 10, maxCost: 5000, assumedListSize: 20 };

const tooComplex = (message: string, extensions: Record<string, unknown>) =>
  new GraphQLError(message, { extensions: { code: "QUERY_TOO_COMPLEX" satisfies ErrorCode, ...extensions } });

/**
 * Validation rules that refuse operations too deep or too expensive before any subgraph is called
 * (HTTP and subscriptions alike): a cheap request cannot make the gateway fan out into thousands of
 * fetches.
 */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  return [
    (ctx: ValidationContext): ASTVisitor => ({
      OperationDefinition(op) {
        const schema = ctx.getSchema();
        const root =
          op.operation === "query"
            ? schema.getQueryType()
            : op.operation === "mutation"
              ? schema.getMutationType()
              : schema.getSubscriptionType();
        if (!root) return;
        const walk = new Walker(schema, (name) => ctx.getFragment(name) ?? undefined, limits);
        const { depth, cost } = walk.measure(op.selectionSet, root, 0, new Set());
        if (depth > limits.maxDepth) {
          ctx.reportError(
            tooComplex(`This operation is nested ${depth} levels deep; the limit is ${limits.maxDepth}.`, {
              depth,
              maxDepth: limits.maxDepth,
            }),
          );
        } else if (cost > limits.maxCost) {
          ctx.reportError(
            tooComplex(
              `This operation would cost about ${cost} (fields × page sizes); the limit is ${limits.maxCost}. Ask for fewer fields or smaller pages.`,
              { cost, maxCost: limits.maxCost },
            ),
          );
        }
      },
    }),
  ];
}

class Walker {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragment: (name: string) => FragmentDefinitionNode | undefined,
    private readonly limits: OperationLimits,
  ) {}

  /** Depth and cost of a selection set on `parent`; `seen` stops fragment cycles (reported by the spec rules anyway). */
  measure(
    set: SelectionSetNode,
    parent: GraphQLObjectType,
    level: number,
    seen: Set<string>,
    parentPaged = false,
  ): { depth: number; cost: number } {
    let depth = level;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const r = this.field(sel, parent, level, seen, parentPaged);
        depth = Math.max(depth, r.depth);
        cost += r.cost;
      } else {
        const frag = sel.kind === Kind.INLINE_FRAGMENT ? sel : this.fragment(sel.name.value);
        if (!frag || (sel.kind === Kind.FRAGMENT_SPREAD && seen.has(sel.name.value))) continue;
        const on = frag.typeCondition ? this.schema.getType(frag.typeCondition.name.value) : parent;
        if (!isObjectType(on)) continue;
        const next = sel.kind === Kind.FRAGMENT_SPREAD ? new Set(seen).add(sel.name.value) : seen;
        const r = this.measure(frag.selectionSet, on, level, next, parentPaged);
        depth = Math.max(depth, r.depth);
        cost += r.cost;
      }
    }
    return { depth, cost };
  }

  private field(
    node: FieldNode,
    parent: GraphQLObjectType,
    level: number,
    seen: Set<string>,
    parentPaged: boolean,
  ): { depth: number; cost: number } {
    if (node.name.value.startsWith("__")) return { depth: level, cost: 0 };
    const def = parent.getFields()[node.name.value];
    if (!def) return { depth: level + 1, cost: 1 };
    const named = getNamedType(def.type);
    if (!node.selectionSet || !isObjectType(named)) return { depth: level + 1, cost: 1 };
    const firstArg = node.arguments?.find((a) => a.name.value === "first");
    let size = 1;
    if (firstArg) {
      size =
        firstArg.value.kind === Kind.INT
          ? Math.max(1, Number(firstArg.value.value))
          : this.limits.assumedListSize;
    } else if (isListType(getNullableType(def.type)) && !parentPaged) {
      // A list under a paged field (a connection's edges) is the page itself, not a second multiplier.
      size = this.limits.assumedListSize;
    }
    const inner = this.measure(node.selectionSet, named, level + 1, seen, !!firstArg);
    return { depth: inner.depth, cost: 1 + size * inner.cost };
  }
}

/**
 * Per-caller request budget (token bucket): `perMinute` requests a minute with bursts up to `burst`.
 * Keyed by account for logged-in callers and by IP for anonymous ones.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now = () => Date.now(),
  ) {}

  /** Takes one token; returns 0 when allowed, otherwise the seconds to wait. */
  take(key: string): number {
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * rate);
    b.at = t;
    this.buckets.set(key, b);
    if (this.buckets.size > 100_000) this.sweep(t);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / rate / 1000);
  }

  private sweep(t: number): void {
    for (const [k, b] of this.buckets) if (t - b.at > 120_000) this.buckets.delete(k);
  }
}

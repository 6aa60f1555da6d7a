import { z } from "zod";

/**
 * Declared settings: every environment variable a process reads is one `Setting` in its schema,
 * with its type, range, default and whether production must be given it. A schema is parsed once
 * at start-up (`loadSettings`), every problem reported at once, into a frozen, typed object; the
 * same declarations generate docs/configuration.md.
 */

/** How a setting shows in docs/configuration.md. */
export interface SettingDoc {
  env: string;
  type: string;
  range: string;
  default: string;
  requiredInProduction: boolean;
  description: string;
}

export interface Setting<T> {
  readonly doc: SettingDoc;
  /** The validator of the raw value (a string, or undefined when unset or empty). */
  schema(production: boolean): z.ZodType<T, string | undefined>;
}

export type SettingsSpec = Record<string, Setting<unknown>>;
export type SettingsOf<S extends SettingsSpec> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

interface Common<T> {
  env: string;
  description: string;
  default?: T;
  /** Used outside production only; production must be given the variable. */
  devDefault?: T;
  /** Text for the docs where the default is computed or depends on the context. */
  defaultDoc?: string;
}

type Optionality<O, T> = O extends { default: T } | { devDefault: T } ? T : T | undefined;

/** A whole number (ports, counts, milliseconds): "1.5" is refused. */
export function int<O extends Common<number> & { min?: number; max?: number }>(
  o: O,
): Setting<Optionality<O, number>> {
  return numeric(o, true) as Setting<Optionality<O, number>>;
}

/** A number where fractions are meant (rates, fractional minutes). */
export function num<O extends Common<number> & { min?: number; max?: number; minExclusive?: boolean }>(
  o: O,
): Setting<Optionality<O, number>> {
  return numeric(o, false) as Setting<Optionality<O, number>>;
}

export function str<O extends Common<string> & { format?: "url" }>(o: O): Setting<Optionality<O, string>> {
  const base = z.string().superRefine((v, ctx) => {
    if (o.format !== "url") return;
    try {
      new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a URL" });
    }
  });
  return make(o, o.format === "url" ? "URL" : "string", "", base, (v) => v) as Setting<
    Optionality<O, string>
  >;
}

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

export function bool<O extends Common<boolean>>(o: O): Setting<Optionality<O, boolean>> {
  const base = z
    .string()
    .refine((v) => TRUE.includes(v.toLowerCase()) || FALSE.includes(v.toLowerCase()), {
      message: `must be one of ${[...TRUE, ...FALSE].join(", ")}`,
      abort: true,
    })
    .transform((v) => TRUE.includes(v.toLowerCase()));
  return make(o, "boolean", "1/true/yes/on or 0/false/no/off", base, String) as Setting<
    Optionality<O, boolean>
  >;
}

/** One of `values`; always has a default. */
export function oneOf<const V extends string>(
  o: Common<V> & { values: readonly V[]; default: V },
): Setting<V> {
  const base = z.string().refine((v) => (o.values as readonly string[]).includes(v), {
    message: `must be one of ${o.values.join(", ")}`,
  }) as unknown as z.ZodType<V, string>;
  return make(o, "enum", o.values.join(" | "), base, (v) => v) as Setting<V>;
}

function numeric(
  o: Common<number> & { min?: number; max?: number; minExclusive?: boolean },
  integer: boolean,
) {
  const pattern = integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const low = o.min === undefined ? "" : `${o.minExclusive ? ">" : "≥"} ${o.min}`;
  const high = o.max === undefined ? "" : `≤ ${o.max}`;
  const base = z
    .string()
    .trim()
    .refine((v) => pattern.test(v), {
      message: integer ? "must be a whole number" : "must be a number",
      abort: true,
    })
    .transform(Number)
    .pipe(
      z.number().superRefine((v, ctx) => {
        const tooLow = o.min !== undefined && (o.minExclusive ? v <= o.min : v < o.min);
        const tooHigh = o.max !== undefined && v > o.max;
        if (tooLow || tooHigh)
          ctx.addIssue({ code: "custom", message: `must be ${[low, high].filter(Boolean).join(" and ")}` });
      }),
    );
  return make(o, integer ? "integer" : "number", [low, high].filter(Boolean).join(", "), base, String);
}

function make<T>(
  o: Common<T>,
  type: string,
  range: string,
  base: z.ZodType<T, string>,
  show: (v: T) => string,
): Setting<T | undefined> {
  const requiredInProduction = o.devDefault !== undefined;
  const fallback = o.default ?? o.devDefault;
  const defaultDoc =
    o.defaultDoc ??
    (o.default !== undefined
      ? `\`${show(o.default)}\``
      : o.devDefault !== undefined
        ? `\`${show(o.devDefault)}\` (development only)`
        : "");
  return {
    doc: { env: o.env, type, range, default: defaultDoc, requiredInProduction, description: o.description },
    schema(production) {
      // An empty value counts as unset, as it did before the schemas (`FOO= node …`).
      const present = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
      return present
        .pipe(base.optional())
        .transform((v): T | undefined =>
          v !== undefined ? v : production && requiredInProduction ? undefined : fallback,
        ) as unknown as z.ZodType<T | undefined, string | undefined>;
    },
  };
}

/** Every problem of a process's settings, one per line, each naming its variable. */
export class ConfigError extends Error {
  constructor(
    readonly process: string,
    readonly problems: string[],
  ) {
    super(
      `${process}: invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/**
 * Reads the variables of `spec` from `env` into a frozen object, or throws a ConfigError listing
 * every invalid or missing variable. `checks` relate valid settings to each other (only run when
 * each setting is valid on its own).
 */
export function loadSettings<S extends SettingsSpec>(
  name: string,
  spec: S,
  env: Readonly<Record<string, string | undefined>>,
  opts: { production: boolean; checks?: (values: SettingsOf<S>) => string[] },
): SettingsOf<S> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(spec)) {
    const raw = env[setting.doc.env];
    const r = setting.schema(opts.production).safeParse(raw);
    if (!r.success) {
      const why = r.error.issues.map((i) => i.message).join("; ");
      problems.push(`${setting.doc.env}=${JSON.stringify(raw)}: ${why}`);
    } else if (r.data === undefined && opts.production && setting.doc.requiredInProduction) {
      problems.push(`${setting.doc.env}: must be set in production (NODE_ENV=production)`);
    } else values[key] = r.data;
  }
  if (!problems.length && opts.checks) problems.push(...opts.checks(values as SettingsOf<S>));
  if (problems.length) throw new ConfigError(name, problems);
  return Object.freeze(values) as SettingsOf<S>;
}

/** The docs rows of a spec, in declaration order. */
export function settingDocs(spec: SettingsSpec): SettingDoc[] {
  return Object.values(spec).map((s) => s.doc);
}

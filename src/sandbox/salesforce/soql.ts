/**
 * The subset of SOQL the Salesforce adapter issues, evaluated for the sandbox. Parsing is done by
 * `@jetstreamapp/soql-parser-js` (a maintained SOQL grammar); this file accepts from its syntax tree only
 * `SELECT f, COUNT(f) [alias] FROM Obj [WHERE …] [GROUP BY f] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST]]
 * [LIMIT n] [OFFSET n]` with `AND`/`OR`/`NOT`, parentheses, `= != < <= > >= LIKE IN NOT IN`, and string,
 * number, boolean, null and date/datetime literals. Anything else is refused as MALFORMED_QUERY, so the
 * sandbox is never more lenient than Salesforce for the queries Handoff sends.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
 */
import {
  parseQuery,
  type Condition,
  type FieldType,
  type LiteralType,
  type Query,
  type WhereClause,
} from "@jetstreamapp/soql-parser-js";

export type SoqlValue = string | number | boolean | null;

export type SoqlSelectItem =
  { kind: "field"; name: string } | { kind: "count"; field: string; alias: string };

export type SoqlCondition =
  | { kind: "and" | "or"; left: SoqlCondition; right: SoqlCondition }
  | { kind: "not"; inner: SoqlCondition }
  | { kind: "compare"; field: string; op: "=" | "!=" | "<" | "<=" | ">" | ">="; value: SoqlValue }
  | { kind: "like"; field: string; pattern: string }
  | { kind: "in"; field: string; values: SoqlValue[]; negated: boolean };

export interface SoqlQuery {
  select: SoqlSelectItem[];
  from: string;
  where?: SoqlCondition;
  groupBy?: string;
  orderBy?: { field: string; descending: boolean; nullsLast: boolean };
  limit?: number;
  offset?: number;
}

export class SoqlError extends Error {
  constructor(
    message: string,
    readonly errorCode: "MALFORMED_QUERY" | "INVALID_FIELD" | "INVALID_TYPE",
  ) {
    super(message);
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2}))?/;

const malformed = (message: string): SoqlError => new SoqlError(message, "MALFORMED_QUERY");

/** SOQL string literals arrive quoted and escaped (`'it\\'s'`). */
function unquote(raw: string): string {
  return raw.slice(1, -1).replace(/\\(.)/gs, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

function literal(raw: string, type: LiteralType): SoqlValue {
  switch (type) {
    case "STRING":
      return unquote(raw);
    case "INTEGER":
    case "DECIMAL":
      return Number(raw);
    case "BOOLEAN":
      return raw.toUpperCase() === "TRUE";
    case "NULL":
      return null;
    case "DATE":
    case "DATETIME":
      return raw;
    default:
      throw malformed(`unexpected ${raw}: ${type.toLowerCase().replace(/_/g, " ")} values are not supported`);
  }
}

const COMPARISONS: Record<string, "=" | "!=" | "<" | "<=" | ">" | ">="> = {
  "=": "=",
  "!=": "!=",
  "<>": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

function comparison(condition: Condition): SoqlCondition {
  if (!("field" in condition) || !condition.field || "fn" in condition || "valueQuery" in condition) {
    throw malformed("only field comparisons are supported in WHERE");
  }
  const { field } = condition;
  const operator = condition.operator.toUpperCase().replace(/\s+/g, " ");
  const type = condition.literalType;
  const values = Array.isArray(condition.value) ? condition.value : [condition.value];
  const types = Array.isArray(type) ? type : values.map(() => type ?? "STRING");
  const parsed = values.map((raw, i) => literal(String(raw), types[i] ?? "STRING"));
  if (operator === "IN" || operator === "NOT IN") {
    return { kind: "in", field, values: parsed, negated: operator === "NOT IN" };
  }
  if (Array.isArray(condition.value) || parsed.length !== 1) throw malformed(`${operator} takes one value`);
  const value = parsed[0] as SoqlValue;
  if (operator === "LIKE") {
    if (typeof value !== "string") throw malformed("LIKE needs a string");
    return { kind: "like", field, pattern: value };
  }
  const op = COMPARISONS[operator];
  if (!op) throw malformed(`operator ${operator} is not supported`);
  return { kind: "compare", field, op, value };
}

type WhereToken = "(" | ")" | "AND" | "OR" | "NOT" | SoqlCondition;

/**
 * The grammar hands WHERE back as a right-leaning chain with parentheses counted on each condition, so
 * precedence (NOT over AND over OR) is restored here from the flattened chain.
 */
function flatten(where: WhereClause | undefined, out: WhereToken[] = []): WhereToken[] {
  if (!where) return out;
  if (where.left) {
    const left = where.left as Condition & { openParen?: number; closeParen?: number };
    for (let i = 0; i < (left.openParen ?? 0); i++) out.push("(");
    out.push(comparison(left));
    for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(")");
  }
  if (!("operator" in where)) return out;
  const operator = where.operator.toUpperCase();
  if (operator !== "AND" && operator !== "OR" && operator !== "NOT")
    throw malformed(`unexpected ${operator}`);
  out.push(operator);
  return flatten(where.right, out);
}

function whereTree(tokens: WhereToken[]): SoqlCondition {
  let pos = 0;
  const or = (): SoqlCondition => {
    let left = and();
    while (tokens[pos] === "OR") {
      pos++;
      left = { kind: "or", left, right: and() };
    }
    return left;
  };
  const and = (): SoqlCondition => {
    let left = unary();
    while (tokens[pos] === "AND") {
      pos++;
      left = { kind: "and", left, right: unary() };
    }
    return left;
  };
  const unary = (): SoqlCondition => {
    const token = tokens[pos++];
    if (token === "NOT") return { kind: "not", inner: unary() };
    if (token === "(") {
      const inner = or();
      if (tokens[pos++] !== ")") throw malformed("expected ')'");
      return inner;
    }
    if (token === undefined || typeof token === "string") throw malformed("expected a condition");
    return token;
  };
  const tree = or();
  if (pos !== tokens.length) throw malformed("unexpected token in WHERE");
  return tree;
}

function selectItem(field: FieldType, countIndex: () => number): SoqlSelectItem {
  if (field.type === "Field") return { kind: "field", name: field.field };
  if (field.type === "FieldFunctionExpression" && field.functionName.toUpperCase() === "COUNT") {
    const [param, ...rest] = field.parameters ?? [];
    if (rest.length > 0 || (param !== undefined && typeof param !== "string")) {
      throw malformed("COUNT takes one field");
    }
    return { kind: "count", field: param ?? "Id", alias: field.alias ?? `expr${countIndex()}` };
  }
  throw malformed(`${field.type} in SELECT is not supported`);
}

/** GROUP BY and ORDER BY name one plain field here (no functions, no lists). */
function oneField<T extends object>(
  clause: T | T[] | undefined,
  name: string,
): (T & { field: string }) | undefined {
  const list = Array.isArray(clause) ? clause : clause ? [clause] : [];
  if (list.length === 0) return undefined;
  const [first] = list;
  if (list.length > 1 || !first || !("field" in first) || typeof first.field !== "string") {
    throw malformed(`${name} takes one field`);
  }
  return first as T & { field: string };
}

function fromTree(tree: Query): SoqlQuery {
  const unsupported = (["with", "having", "for", "update", "withDataCategory", "usingScope"] as const).find(
    (clause) => clause in tree && tree[clause as keyof Query] !== undefined,
  );
  if (unsupported) throw malformed(`${unsupported.toUpperCase()} is not supported`);
  let expr = 0;
  const query: SoqlQuery = {
    select: (tree.fields ?? []).map((field) => selectItem(field, () => expr++)),
    from: tree.sObject ?? "",
  };
  if (!tree.sObject) throw malformed("expected FROM an object");
  if (tree.where) query.where = whereTree(flatten(tree.where));
  const groupBy = oneField(tree.groupBy, "GROUP BY");
  if (groupBy) query.groupBy = groupBy.field;
  const order = oneField(tree.orderBy, "ORDER BY");
  if (order) {
    const descending = order.order === "DESC";
    query.orderBy = {
      field: order.field,
      descending,
      nullsLast: order.nulls ? order.nulls === "LAST" : descending,
    };
  }
  if (tree.limit !== undefined) query.limit = tree.limit;
  if (tree.offset !== undefined) query.offset = tree.offset;
  return query;
}

/**
 * A SOQL statement is at most 100,000 characters long
 * (https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm);
 * the org refuses a longer one as MALFORMED_QUERY (the message text here is the sandbox's own).
 */
export const SOQL_STATEMENT_MAX = 100_000;

export function parseSoql(soql: string): SoqlQuery {
  if (soql.length > SOQL_STATEMENT_MAX) {
    throw malformed(`SOQL statements cannot be longer than ${SOQL_STATEMENT_MAX} characters`);
  }
  let tree: Query;
  try {
    tree = parseQuery(soql);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
    throw malformed(first.slice(0, 200) || "unparseable query");
  }
  return fromTree(tree);
}

/** Reads a field case-insensitively, as SOQL does. `fieldName` maps any casing to the stored name. */
export type FieldResolver = (name: string) => string;

function compareValues(a: unknown, b: SoqlValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") {
    // Date/datetime strings compare as instants when both parse; everything else compares as text.
    if (DATE_TIME.test(a) && DATE_TIME.test(b)) return Date.parse(a) - Date.parse(b);
    return a.localeCompare(b);
  }
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return Number.NaN;
}

function equals(a: unknown, b: SoqlValue): boolean {
  if (a === undefined || a === null) return b === null;
  if (b === null) return false;
  if (typeof a === "string" && typeof b === "string") {
    if (DATE_TIME.test(a) && DATE_TIME.test(b)) return Date.parse(a) === Date.parse(b);
    return a.toLowerCase() === b.toLowerCase(); // SOQL string comparison is case-insensitive
  }
  return a === b;
}

const textSets = new WeakMap<SoqlValue[], Set<string> | null>();

/** `IN ('a', 'b', …)` over plain text: a lower-cased set, built once per parsed list (200-id batches stay fast). */
function textSet(values: SoqlValue[]): Set<string> | null {
  let set = textSets.get(values);
  if (set === undefined) {
    const plain = values.every((v) => typeof v === "string" && !DATE_TIME.test(v));
    set = plain ? new Set((values as string[]).map((v) => v.toLowerCase())) : null;
    textSets.set(values, set);
  }
  return set;
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${escaped}$`, "is");
}

export function matchesCondition(
  record: Record<string, unknown>,
  condition: SoqlCondition,
  resolve: FieldResolver,
): boolean {
  switch (condition.kind) {
    case "and":
      return (
        matchesCondition(record, condition.left, resolve) &&
        matchesCondition(record, condition.right, resolve)
      );
    case "or":
      return (
        matchesCondition(record, condition.left, resolve) ||
        matchesCondition(record, condition.right, resolve)
      );
    case "not":
      return !matchesCondition(record, condition.inner, resolve);
    case "like": {
      const value = record[resolve(condition.field)];
      return typeof value === "string" && likeToRegExp(condition.pattern).test(value);
    }
    case "in": {
      const value = record[resolve(condition.field)];
      const set = textSet(condition.values);
      const found =
        set && typeof value === "string" && !DATE_TIME.test(value)
          ? set.has(value.toLowerCase())
          : condition.values.some((v) => equals(value, v));
      return condition.negated ? !found : found;
    }
    case "compare": {
      const value = record[resolve(condition.field)];
      if (condition.op === "=") return equals(value, condition.value);
      if (condition.op === "!=") return !equals(value, condition.value);
      if (value === undefined || value === null || condition.value === null) return false;
      const cmp = compareValues(value, condition.value);
      if (Number.isNaN(cmp)) return false;
      if (condition.op === "<") return cmp < 0;
      if (condition.op === "<=") return cmp <= 0;
      if (condition.op === ">") return cmp > 0;
      return cmp >= 0;
    }
  }
}

/** Every field a query names, for the INVALID_FIELD check. */
export function fieldsOf(query: SoqlQuery): string[] {
  const fields: string[] = [];
  for (const item of query.select) fields.push(item.kind === "field" ? item.name : item.field);
  const walk = (c: SoqlCondition | undefined): void => {
    if (!c) return;
    switch (c.kind) {
      case "and":
      case "or":
        walk(c.left);
        walk(c.right);
        return;
      case "not":
        walk(c.inner);
        return;
      default:
        fields.push(c.field);
    }
  };
  walk(query.where);
  if (query.groupBy) fields.push(query.groupBy);
  if (query.orderBy) fields.push(query.orderBy.field);
  return fields;
}

/** Runs a parsed query over records; returns rows already projected (aggregate rows for COUNT). */
export function executeSoql(
  query: SoqlQuery,
  records: Record<string, unknown>[],
  resolve: FieldResolver,
): Record<string, unknown>[] {
  let rows = query.where
    ? records.filter((r) => matchesCondition(r, query.where as SoqlCondition, resolve))
    : records;
  const hasCount = query.select.some((s) => s.kind === "count");
  let projected: Record<string, unknown>[];
  if (hasCount) {
    const groupField = query.groupBy ? resolve(query.groupBy) : undefined;
    const groups = new Map<unknown, Record<string, unknown>[]>();
    for (const row of rows) {
      const key = groupField ? row[groupField] : "*";
      const list = groups.get(key) ?? [];
      list.push(row);
      groups.set(key, list);
    }
    if (!groupField && groups.size === 0) groups.set("*", []);
    projected = [...groups.entries()].map(([key, members]) => {
      const out: Record<string, unknown> = {};
      for (const item of query.select) {
        if (item.kind === "count") {
          out[item.alias] = members.filter(
            (m) => m[resolve(item.field)] !== null && m[resolve(item.field)] !== undefined,
          ).length;
        } else {
          if (!groupField || resolve(item.name) !== groupField) {
            throw new SoqlError(`field ${item.name} must be grouped or aggregated`, "MALFORMED_QUERY");
          }
          out[groupField] = key;
        }
      }
      return out;
    });
  } else {
    if (query.groupBy) throw new SoqlError("GROUP BY needs an aggregate function", "MALFORMED_QUERY");
    projected = rows;
  }
  if (query.orderBy) {
    const { field, descending, nullsLast } = query.orderBy;
    const key = hasCount ? field : resolve(field);
    projected = [...projected].sort((a, b) => {
      const av = a[key];
      const bv = b[key];
      const aNull = av === null || av === undefined;
      const bNull = bv === null || bv === undefined;
      if (aNull || bNull) return aNull === bNull ? 0 : aNull === nullsLast ? 1 : -1;
      const cmp = compareValues(av, bv as SoqlValue);
      return descending ? -cmp : cmp;
    });
  }
  rows = projected.slice(query.offset ?? 0);
  if (query.limit !== undefined) rows = rows.slice(0, query.limit);
  if (hasCount) return rows;
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const item of query.select) {
      if (item.kind === "field") {
        const name = resolve(item.name);
        out[name] = row[name] ?? null;
      }
    }
    return out;
  });
}

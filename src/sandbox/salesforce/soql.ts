/**
 * The subset of SOQL the Salesforce adapter issues, parsed and evaluated for the sandbox:
 * `SELECT f, COUNT(Id) [alias] FROM Obj [WHERE …] [GROUP BY f] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST]]
 * [LIMIT n] [OFFSET n]`, with `AND`/`OR`/`NOT`, parentheses, `= != <> < <= > >= LIKE IN NOT IN`, string,
 * number, boolean, null and date/datetime literals. Anything else is a MALFORMED_QUERY, like Salesforce.
 */

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

type Token =
  | { t: "word"; v: string }
  | { t: "string"; v: string }
  | { t: "number"; v: number }
  | { t: "datetime"; v: string }
  | { t: "op"; v: string }
  | { t: "punct"; v: "(" | ")" | "," };

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2}))?/;

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= soql.length) throw new SoqlError("unterminated string literal", "MALFORMED_QUERY");
        const ch = soql.charAt(i);
        if (ch === "\\") {
          const next = soql.charAt(i + 1);
          v += next === "n" ? "\n" : next === "t" ? "\t" : next;
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          v += ch;
          i++;
        }
      }
      tokens.push({ t: "string", v });
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ t: "punct", v: c });
      i++;
    } else if ("=!<>".includes(c)) {
      const two = soql.slice(i, i + 2);
      const op = ["!=", "<>", "<=", ">="].includes(two) ? two : c;
      if (op === "!") throw new SoqlError("unexpected '!'", "MALFORMED_QUERY");
      tokens.push({ t: "op", v: op === "<>" ? "!=" : op });
      i += op.length;
    } else {
      const rest = soql.slice(i);
      const dt = DATE_TIME.exec(rest);
      if (dt) {
        tokens.push({ t: "datetime", v: dt[0] });
        i += dt[0].length;
        continue;
      }
      const num = /^-?\d+(\.\d+)?/.exec(rest);
      if (num) {
        tokens.push({ t: "number", v: Number(num[0]) });
        i += num[0].length;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
      if (!word) throw new SoqlError(`unexpected character '${c}'`, "MALFORMED_QUERY");
      tokens.push({ t: "word", v: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const token = this.tokens[this.pos++];
    if (!token) throw new SoqlError("unexpected end of query", "MALFORMED_QUERY");
    return token;
  }
  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token?.t === "word" && token.v.toUpperCase() === word;
  }
  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) throw new SoqlError(`expected ${word}`, "MALFORMED_QUERY");
    this.pos++;
  }
  private expectPunct(p: "(" | ")" | ","): void {
    const token = this.next();
    if (token.t !== "punct" || token.v !== p) throw new SoqlError(`expected '${p}'`, "MALFORMED_QUERY");
  }
  private word(): string {
    const token = this.next();
    if (token.t !== "word") throw new SoqlError("expected a field or object name", "MALFORMED_QUERY");
    return token.v;
  }

  parse(): SoqlQuery {
    this.expectKeyword("SELECT");
    const select: SoqlSelectItem[] = [];
    let expr = 0;
    do {
      if (select.length > 0) this.pos++;
      const name = this.word();
      if (name.toUpperCase() === "COUNT" && this.peek()?.t === "punct") {
        this.expectPunct("(");
        const field = this.peek()?.t === "word" ? this.word() : "Id";
        this.expectPunct(")");
        const aliasToken = this.peek();
        const alias =
          aliasToken?.t === "word" && aliasToken.v.toUpperCase() !== "FROM" ? this.word() : `expr${expr++}`;
        select.push({ kind: "count", field, alias });
      } else {
        select.push({ kind: "field", name });
      }
    } while (this.peek()?.t === "punct" && this.peek()?.v === ",");
    this.expectKeyword("FROM");
    const query: SoqlQuery = { select, from: this.word() };
    if (this.isKeyword("WHERE")) {
      this.pos++;
      query.where = this.orExpr();
    }
    if (this.isKeyword("GROUP")) {
      this.pos++;
      this.expectKeyword("BY");
      query.groupBy = this.word();
    }
    if (this.isKeyword("ORDER")) {
      this.pos++;
      this.expectKeyword("BY");
      const field = this.word();
      let descending = false;
      if (this.isKeyword("ASC")) this.pos++;
      else if (this.isKeyword("DESC")) {
        this.pos++;
        descending = true;
      }
      let nullsLast = descending;
      if (this.isKeyword("NULLS")) {
        this.pos++;
        nullsLast = this.word().toUpperCase() === "LAST";
      }
      query.orderBy = { field, descending, nullsLast };
    }
    if (this.isKeyword("LIMIT")) {
      this.pos++;
      query.limit = this.integer();
    }
    if (this.isKeyword("OFFSET")) {
      this.pos++;
      query.offset = this.integer();
    }
    if (this.peek()) throw new SoqlError("unexpected token after the end of the query", "MALFORMED_QUERY");
    return query;
  }

  private integer(): number {
    const token = this.next();
    if (token.t !== "number" || !Number.isInteger(token.v) || token.v < 0) {
      throw new SoqlError("expected a non-negative integer", "MALFORMED_QUERY");
    }
    return token.v;
  }

  private orExpr(): SoqlCondition {
    let left = this.andExpr();
    while (this.isKeyword("OR")) {
      this.pos++;
      left = { kind: "or", left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): SoqlCondition {
    let left = this.unary();
    while (this.isKeyword("AND")) {
      this.pos++;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): SoqlCondition {
    if (this.isKeyword("NOT")) {
      this.pos++;
      return { kind: "not", inner: this.unary() };
    }
    const token = this.peek();
    if (token?.t === "punct" && token.v === "(") {
      this.pos++;
      const inner = this.orExpr();
      this.expectPunct(")");
      return inner;
    }
    return this.comparison();
  }

  private comparison(): SoqlCondition {
    const field = this.word();
    if (this.isKeyword("LIKE")) {
      this.pos++;
      const value = this.value();
      if (typeof value !== "string") throw new SoqlError("LIKE needs a string", "MALFORMED_QUERY");
      return { kind: "like", field, pattern: value };
    }
    let negated = false;
    if (this.isKeyword("NOT")) {
      this.pos++;
      negated = true;
    }
    if (this.isKeyword("IN")) {
      this.pos++;
      this.expectPunct("(");
      const values: SoqlValue[] = [this.value()];
      while (this.peek()?.t === "punct" && this.peek()?.v === ",") {
        this.pos++;
        values.push(this.value());
      }
      this.expectPunct(")");
      return { kind: "in", field, values, negated };
    }
    if (negated) throw new SoqlError("expected IN after NOT", "MALFORMED_QUERY");
    const op = this.next();
    if (op.t !== "op") throw new SoqlError(`expected an operator after ${field}`, "MALFORMED_QUERY");
    return { kind: "compare", field, op: op.v as "=" | "!=" | "<" | "<=" | ">" | ">=", value: this.value() };
  }

  private value(): SoqlValue {
    const token = this.next();
    switch (token.t) {
      case "string":
      case "datetime":
        return token.v;
      case "number":
        return token.v;
      case "word": {
        const upper = token.v.toUpperCase();
        if (upper === "TRUE") return true;
        if (upper === "FALSE") return false;
        if (upper === "NULL") return null;
        throw new SoqlError(
          `unexpected ${token.v}: date literals like TODAY are not supported`,
          "MALFORMED_QUERY",
        );
      }
      default:
        throw new SoqlError("expected a value", "MALFORMED_QUERY");
    }
  }
}

export function parseSoql(soql: string): SoqlQuery {
  return new Parser(tokenize(soql)).parse();
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

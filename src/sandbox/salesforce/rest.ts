import { randomBytes } from "node:crypto";
import {
  apiError,
  fieldOf,
  findRecord,
  objectOrThrow,
  prepareCreate,
  prepareUpdate,
  recordsOf,
  renderRecord,
  SandboxApiError,
  type SalesforceApiError,
  type WriteContext,
} from "./records";
import { executeSoql, fieldsOf, parseSoql, SoqlError } from "./soql";
import { apiCallsUsed, type SalesforceSandboxState, type SObjectRecord } from "./state";

/** One REST call below `/services/data/vXX.X` (also one composite subrequest). */
export interface RestRequest {
  method: string;
  /** Path below the version, e.g. `/sobjects/Lead/00Q…`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Lower-case header names. */
  headers: Record<string, string>;
  version: string;
  userId: string;
}

export interface RestResponse {
  status: number;
  body: unknown;
}

const QUERY_BATCH = 2000;
const COLLECTION_MAX = 200;
/**
 * A composite request holds at most 25 subrequests, of which at most 5 may be sObject Collections or query
 * operations (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html).
 */
const COMPOSITE_MAX = 25;
const COMPOSITE_COLLECTION_OR_QUERY_MAX = 5;

/** Whether a composite subrequest URL is an sObject Collections or a query (Query / QueryAll) operation. */
function isCollectionOrQuery(url: unknown): boolean {
  return /^\/services\/data\/v\d+\.\d\/(composite\/sobjects|query|queryAll)(\/|\?|$)/.test(String(url ?? ""));
}

function errorBody(errors: SalesforceApiError[]): SalesforceApiError[] {
  return errors;
}

/** SaveResult element for collections: Salesforce names the code `statusCode` here, not `errorCode`. */
function saveError(err: unknown): { statusCode: string; message: string; fields: string[] } {
  if (err instanceof SandboxApiError) {
    const first = err.errors[0];
    return {
      statusCode: first?.errorCode ?? "UNKNOWN_EXCEPTION",
      message: err.message,
      fields: first?.fields ?? [],
    };
  }
  throw err;
}

function writeContext(req: RestRequest): WriteContext {
  return {
    autoAssignOff: (req.headers["sforce-auto-assign"] ?? "").toUpperCase() === "FALSE",
    userId: req.userId,
  };
}

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw apiError(400, "JSON_PARSER_ERROR", `${what}: expected a JSON object`);
  }
  return body as Record<string, unknown>;
}

function runQuery(state: SalesforceSandboxState, req: RestRequest, soql: string): RestResponse {
  let query;
  try {
    query = parseSoql(soql);
  } catch (err) {
    if (err instanceof SoqlError) throw apiError(400, err.errorCode, err.message);
    throw err;
  }
  let object;
  try {
    object = objectOrThrow(state, query.from);
  } catch {
    throw apiError(400, "INVALID_TYPE", `sObject type '${query.from}' is not supported.`);
  }
  for (const name of fieldsOf(query)) {
    if (!fieldOf(object, name)) {
      throw apiError(400, "INVALID_FIELD", `No such column '${name}' on entity '${object.name}'.`);
    }
  }
  const names = new Map<string, string>();
  const resolve = (name: string): string => {
    let resolved = names.get(name);
    if (resolved === undefined) {
      resolved = fieldOf(object, name)?.name ?? name;
      names.set(name, resolved);
    }
    return resolved;
  };
  let rows: Record<string, unknown>[];
  try {
    rows = executeSoql(query, [...recordsOf(state, object).values()], resolve);
  } catch (err) {
    if (err instanceof SoqlError) throw apiError(400, err.errorCode, err.message);
    throw err;
  }
  const aggregate = query.select.some((s) => s.kind === "count");
  const rendered = rows.map((row) =>
    aggregate
      ? { attributes: { type: "AggregateResult" }, ...row }
      : {
          attributes: {
            type: object.name,
            url: `/services/data/${req.version}/sobjects/${object.name}/${String(row.Id ?? "")}`,
          },
          ...row,
        },
  );
  return { status: 200, body: page(state, req.version, rendered, object.name, 0) };
}

function page(
  state: SalesforceSandboxState,
  version: string,
  rows: Record<string, unknown>[],
  type: string,
  offset: number,
): Record<string, unknown> {
  const batch = rows.slice(offset, offset + QUERY_BATCH);
  const done = offset + QUERY_BATCH >= rows.length;
  const body: Record<string, unknown> = { totalSize: rows.length, done, records: batch };
  if (!done) {
    const cursor = `01g5g${randomBytes(6).toString("hex")}`;
    state.queryCursors.set(cursor, { rows, type });
    body.nextRecordsUrl = `/services/data/${version}/query/${cursor}-${offset + QUERY_BATCH}`;
  }
  return body;
}

function queryMore(state: SalesforceSandboxState, req: RestRequest, locator: string): RestResponse {
  const [cursor, offset] = locator.split("-");
  const stored = cursor ? state.queryCursors.get(cursor) : undefined;
  if (!stored || offset === undefined) throw apiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  return { status: 200, body: page(state, req.version, stored.rows, stored.type, Number(offset)) };
}

function describe(state: SalesforceSandboxState, name: string): RestResponse {
  const object = objectOrThrow(state, name);
  return {
    status: 200,
    body: {
      name: object.name,
      label: object.label,
      keyPrefix: object.keyPrefix,
      custom: false,
      createable: true,
      updateable: true,
      queryable: true,
      fields: object.fields.map((f) => ({
        name: f.name,
        label: f.label ?? f.name,
        type: f.type,
        custom: f.custom ?? false,
        updateable: f.updateable ?? true,
        createable: f.updateable ?? true,
        nillable: f.nillable ?? true,
        length: f.length ?? (f.type === "string" ? 255 : 0),
        referenceTo: f.referenceTo ?? [],
        restrictedPicklist: f.restricted ?? false,
        picklistValues: (f.picklist ?? []).map((value, i) => ({
          active: true,
          defaultValue: i === 0 && f.name === "Status",
          label: value,
          value,
        })),
      })),
    },
  };
}

function retrieve(state: SalesforceSandboxState, req: RestRequest, type: string, id: string): RestResponse {
  const object = objectOrThrow(state, type);
  const record = findRecord(state, object, id);
  if (!record) throw apiError(404, "NOT_FOUND", "The requested resource does not exist");
  const fields = req.query.get("fields")?.split(",").filter(Boolean);
  return { status: 200, body: renderRecord(object, record, req.version, fields) };
}

interface CollectionRecord {
  type: string;
  id?: string;
  fields: Record<string, unknown>;
}

function collectionRecords(body: unknown): { allOrNone: boolean; records: CollectionRecord[] } {
  const input = asObject(body, "collection");
  if (!Array.isArray(input.records)) throw apiError(400, "JSON_PARSER_ERROR", "records: expected an array");
  if (input.records.length > COLLECTION_MAX) {
    throw apiError(
      400,
      "EXCEEDED_ID_LIMIT",
      `record limit reached. cannot submit more than ${COLLECTION_MAX} records`,
    );
  }
  const records = input.records.map((raw: unknown) => {
    const record = asObject(raw, "record");
    const attributes = record.attributes as { type?: unknown } | undefined;
    if (typeof attributes?.type !== "string") {
      throw apiError(400, "INVALID_TYPE", "Must send a concrete entity type (attributes.type)");
    }
    const id = record.id ?? record.Id;
    return { type: attributes.type, ...(typeof id === "string" ? { id } : {}), fields: record };
  });
  return { allOrNone: input.allOrNone === true, records };
}

function collectionWrite(
  state: SalesforceSandboxState,
  req: RestRequest,
  mode: "create" | "update",
): RestResponse {
  const { allOrNone, records } = collectionRecords(req.body);
  const ctx = writeContext(req);
  const prepared = records.map((r) => {
    try {
      const object = objectOrThrow(state, r.type);
      if (mode === "create") {
        if (r.id !== undefined) throw apiError(400, "INVALID_FIELD", "cannot specify Id in an insert call");
        return { ok: true as const, commit: prepareCreate(state, object, r.fields, ctx).commit };
      }
      if (r.id === undefined) throw apiError(400, "MISSING_ARGUMENT", "Id not specified in an update call");
      const update = prepareUpdate(state, object, r.id, r.fields, ctx);
      return { ok: true as const, commit: () => (update.commit(), update.id) };
    } catch (err) {
      return { ok: false as const, error: saveError(err) };
    }
  });
  const anyFailed = prepared.some((p) => !p.ok);
  const results = prepared.map((p) => {
    if (!p.ok) return { id: null, success: false, errors: [p.error] };
    if (allOrNone && anyFailed) {
      return {
        id: null,
        success: false,
        errors: [
          {
            statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            message:
              "Record rolled back because not all records were valid and the request was using AllOrNone header",
            fields: [],
          },
        ],
      };
    }
    return { id: p.commit(), success: true, errors: [] };
  });
  return { status: 200, body: results };
}

function collectionRetrieve(state: SalesforceSandboxState, req: RestRequest, type: string): RestResponse {
  const object = objectOrThrow(state, type);
  let ids: string[];
  let fields: string[];
  if (req.method === "GET") {
    ids = (req.query.get("ids") ?? "").split(",").filter(Boolean);
    fields = (req.query.get("fields") ?? "").split(",").filter(Boolean);
  } else {
    const body = asObject(req.body, "retrieve");
    ids = Array.isArray(body.ids) ? body.ids.map(String) : [];
    fields = Array.isArray(body.fields) ? body.fields.map(String) : [];
  }
  if (fields.length === 0) throw apiError(400, "MISSING_ARGUMENT", "fields must be specified");
  if (ids.length > 2000) throw apiError(400, "EXCEEDED_ID_LIMIT", "more than 2000 ids");
  const out = ids.map((id) => {
    const record = findRecord(state, object, id);
    return record ? renderRecord(object, record, req.version, fields) : null;
  });
  return { status: 200, body: out };
}

/** Replaces `@{ref.path}` references with values from earlier composite subresponses. */
function resolveReferences(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === "string") {
    return value.replace(
      /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g,
      (_, ref: string, path: string) => {
        if (!results.has(ref))
          throw apiError(400, "INVALID_REFERENCE", `reference ${ref} is not defined before use`);
        let current: unknown = results.get(ref);
        for (const part of path.match(/[A-Za-z0-9_]+|\d+/g) ?? []) {
          current = (current as Record<string, unknown> | undefined)?.[part];
        }
        return String(current);
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, results));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, results)]));
  }
  return value;
}

function snapshot(state: SalesforceSandboxState): Map<string, Map<string, SObjectRecord>> {
  return new Map(
    [...state.records].map(([type, records]) => [
      type,
      new Map([...records].map(([id, r]) => [id, { ...r }])),
    ]),
  );
}

function composite(state: SalesforceSandboxState, req: RestRequest): RestResponse {
  const body = asObject(req.body, "composite");
  const subrequests = body.compositeRequest;
  if (!Array.isArray(subrequests) || subrequests.length === 0) {
    throw apiError(400, "JSON_PARSER_ERROR", "compositeRequest: expected a non-empty array");
  }
  if (subrequests.length > COMPOSITE_MAX) {
    throw apiError(400, "LIMIT_EXCEEDED", `Limit Exceeded: more than ${COMPOSITE_MAX} subrequests`);
  }
  const heavy = subrequests.filter((sub: unknown) =>
    isCollectionOrQuery((sub as { url?: unknown } | null)?.url),
  ).length;
  if (heavy > COMPOSITE_COLLECTION_OR_QUERY_MAX) {
    throw apiError(
      400,
      "LIMIT_EXCEEDED",
      `Limit Exceeded: more than ${COMPOSITE_COLLECTION_OR_QUERY_MAX} sObject Collections or query subrequests (${heavy})`,
    );
  }
  const allOrNone = body.allOrNone === true;
  const before = allOrNone ? snapshot(state) : undefined;
  const results = new Map<string, unknown>();
  const responses: Record<string, unknown>[] = [];
  let failed = false;
  for (const raw of subrequests) {
    const sub = asObject(raw, "subrequest");
    const referenceId = String(sub.referenceId ?? "");
    if (failed && allOrNone) {
      responses.push({
        body: [
          {
            errorCode: "PROCESSING_HALTED",
            message:
              "The transaction was rolled back since another operation in the same transaction failed.",
          },
        ],
        httpHeaders: {},
        httpStatusCode: 400,
        referenceId,
      });
      continue;
    }
    let response: RestResponse;
    try {
      const url = new URL(String(resolveReferences(sub.url, results)), "http://sandbox.invalid");
      const match = /^\/services\/data\/(v\d+\.\d)(\/.*)$/.exec(url.pathname);
      if (!match?.[2])
        throw apiError(400, "INVALID_URL", `subrequest url must start with /services/data/vXX.X`);
      const headers = { ...req.headers };
      for (const [k, v] of Object.entries((sub.httpHeaders as Record<string, unknown> | undefined) ?? {})) {
        headers[k.toLowerCase()] = String(v);
      }
      response = dispatchRest(state, {
        method: String(sub.method ?? "GET").toUpperCase(),
        path: match[2],
        query: url.searchParams,
        body: resolveReferences(sub.body, results),
        headers,
        version: match[1] ?? req.version,
        userId: req.userId,
      });
    } catch (err) {
      if (!(err instanceof SandboxApiError)) throw err;
      response = { status: err.status, body: errorBody(err.errors) };
    }
    if (response.status >= 400) failed = true;
    if (referenceId) results.set(referenceId, response.body);
    responses.push({
      body: response.body ?? null,
      httpHeaders: {},
      httpStatusCode: response.status,
      referenceId,
    });
  }
  if (failed && before) {
    state.records = before;
    for (const r of responses) {
      if ((r.httpStatusCode as number) < 400) {
        r.httpStatusCode = 400;
        r.body = [
          {
            errorCode: "PROCESSING_HALTED",
            message:
              "The transaction was rolled back since another operation in the same transaction failed.",
          },
        ];
      }
    }
  }
  return { status: 200, body: { compositeResponse: responses } };
}

/** Routes one REST call. Throws SandboxApiError for Salesforce-shaped failures. */
export function dispatchRest(state: SalesforceSandboxState, req: RestRequest): RestResponse {
  const parts = req.path.split("/").filter(Boolean).map(decodeURIComponent);
  const [head, a, b, c] = parts;
  const m = req.method;
  if (head === "query" && m === "GET") {
    if (a) return queryMore(state, req, a);
    const q = req.query.get("q");
    if (!q) throw apiError(400, "MALFORMED_QUERY", "q parameter is required");
    return runQuery(state, req, q);
  }
  if (head === "limits" && m === "GET" && !a) {
    const used = apiCallsUsed(state);
    return {
      status: 200,
      body: {
        DailyApiRequests: { Max: state.dailyApiLimit, Remaining: Math.max(0, state.dailyApiLimit - used) },
      },
    };
  }
  if (head === "sobjects") {
    if (!a && m === "GET") {
      return {
        status: 200,
        body: {
          sobjects: [...state.objects.values()].map((o) => ({
            name: o.name,
            label: o.label,
            keyPrefix: o.keyPrefix,
          })),
        },
      };
    }
    if (a && b === "describe" && !c && m === "GET") return describe(state, a);
    if (a && !b && m === "POST") {
      const object = objectOrThrow(state, a);
      const id = prepareCreate(state, object, asObject(req.body, a), writeContext(req)).commit();
      return { status: 201, body: { id, success: true, errors: [] } };
    }
    if (a && b && !c) {
      if (m === "GET") return retrieve(state, req, a, b);
      if (m === "PATCH") {
        const object = objectOrThrow(state, a);
        prepareUpdate(state, object, b, asObject(req.body, a), writeContext(req)).commit();
        return { status: 204, body: undefined };
      }
      if (m === "DELETE") {
        const object = objectOrThrow(state, a);
        const record = findRecord(state, object, b);
        if (!record) throw apiError(404, "ENTITY_IS_DELETED", "entity is deleted");
        recordsOf(state, object).delete(record.Id);
        return { status: 204, body: undefined };
      }
    }
  }
  if (head === "composite") {
    if (!a && m === "POST") return composite(state, req);
    if (a === "sobjects" && !b) {
      if (m === "PATCH") return collectionWrite(state, req, "update");
      if (m === "POST") return collectionWrite(state, req, "create");
    }
    if (a === "sobjects" && b && !c && (m === "GET" || m === "POST"))
      return collectionRetrieve(state, req, b);
  }
  throw apiError(404, "NOT_FOUND", "The requested resource does not exist");
}

import type { HubSpotRecord, HubSpotSandboxState } from "./state";

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: string | number | boolean;
  values?: (string | number)[];
  highValue?: string | number;
}

export interface SearchRequest {
  filterGroups?: { filters?: SearchFilter[] }[];
  sorts?: (string | { propertyName: string; direction?: string })[];
  query?: string;
  properties?: string[];
  limit?: number;
  after?: string | number;
}

/** A search request HubSpot would refuse, as its 400 message. */
export function searchRequestProblem(body: SearchRequest): string | undefined {
  const groups = body.filterGroups ?? [];
  if (groups.length > 5) return "Too many filter groups: at most 5 are allowed.";
  const total = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
  if (groups.some((g) => (g.filters?.length ?? 0) > 6))
    return "Too many filters in a group: at most 6 are allowed.";
  if (total > 18) return "Too many filters: at most 18 are allowed in total.";
  if (body.limit !== undefined && (body.limit < 0 || body.limit > 200))
    return "limit must be between 0 and 200.";
  if (JSON.stringify(body).length > 3000) return "The request body is larger than 3000 characters.";
  return undefined;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === "string") {
    const t = Date.parse(v);
    if (/^\d{4}-\d{2}-\d{2}/.test(v) && Number.isFinite(t)) return t;
  }
  return undefined;
}

function compare(a: string, b: string | number | boolean): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x - y;
  return a.toLowerCase().localeCompare(String(b).toLowerCase());
}

function valuesOf(
  state: HubSpotSandboxState,
  objectType: string,
  record: HubSpotRecord,
  propertyName: string,
): string[] {
  if (propertyName.startsWith("associations.")) {
    const toType = `${propertyName.slice("associations.".length)}s`.replace(/companys$/, "companies");
    return (state.associations.get(`${objectType}/${record.id}`) ?? [])
      .filter((a) => a.toType === toType)
      .map((a) => a.toId);
  }
  if (propertyName === "hs_object_id") return [record.id];
  const v = record.properties[propertyName];
  if (v === null || v === undefined || v === "") return [];
  // Multi-value properties are ';'-separated in HubSpot.
  return propertyName === "hs_additional_emails" ? v.split(";") : [v];
}

/**
 * How HubSpot compares filter values (https://developers.hubspot.com/docs/api/crm/search, "Filter search
 * results"): case-insensitively, except that enumeration properties compare case-sensitively with every
 * operator, and IN / NOT_IN on a string property match only lowercase values (the stored value is lowercased,
 * the given one is not).
 */
function equality(
  state: HubSpotSandboxState,
  objectType: string,
  f: SearchFilter,
): (stored: string, given: string | number | boolean) => boolean {
  const type = state.properties.get(objectType)?.get(f.propertyName)?.type;
  if (type === "enumeration") return (stored, given) => stored === String(given);
  if (type === "string" && (f.operator === "IN" || f.operator === "NOT_IN")) {
    return (stored, given) => stored.toLowerCase() === String(given);
  }
  return (stored, given) => compare(stored, given) === 0;
}

function matches(
  state: HubSpotSandboxState,
  objectType: string,
  record: HubSpotRecord,
  f: SearchFilter,
): boolean {
  const vals = valuesOf(state, objectType, record, f.propertyName);
  const eq = equality(state, objectType, f);
  switch (f.operator) {
    case "HAS_PROPERTY":
      return vals.length > 0;
    case "NOT_HAS_PROPERTY":
      return vals.length === 0;
    case "EQ":
      return f.value !== undefined && vals.some((v) => eq(v, f.value!));
    case "NEQ":
      return f.value !== undefined && !vals.some((v) => eq(v, f.value!));
    case "IN":
      return vals.some((v) => (f.values ?? []).some((w) => eq(v, w)));
    case "NOT_IN":
      return !vals.some((v) => (f.values ?? []).some((w) => eq(v, w)));
    case "LT":
      return f.value !== undefined && vals.some((v) => compare(v, f.value!) < 0);
    case "LTE":
      return f.value !== undefined && vals.some((v) => compare(v, f.value!) <= 0);
    case "GT":
      return f.value !== undefined && vals.some((v) => compare(v, f.value!) > 0);
    case "GTE":
      return f.value !== undefined && vals.some((v) => compare(v, f.value!) >= 0);
    case "BETWEEN":
      return (
        f.value !== undefined &&
        f.highValue !== undefined &&
        vals.some((v) => compare(v, f.value!) >= 0 && compare(v, f.highValue!) <= 0)
      );
    case "CONTAINS_TOKEN":
      return vals.some((v) =>
        v.toLowerCase().includes(
          String(f.value ?? "")
            .replace(/\*/g, "")
            .toLowerCase(),
        ),
      );
    case "NOT_CONTAINS_TOKEN":
      return !vals.some((v) =>
        v.toLowerCase().includes(
          String(f.value ?? "")
            .replace(/\*/g, "")
            .toLowerCase(),
        ),
      );
    default:
      return false;
  }
}

/** Runs a CRM search over one object type: groups OR'ed, filters inside a group AND'ed. */
export function searchRecords(
  state: HubSpotSandboxState,
  objectType: string,
  records: Iterable<HubSpotRecord>,
  body: SearchRequest,
): { total: number; page: HubSpotRecord[]; nextAfter: string | undefined } {
  const groups = (body.filterGroups ?? []).filter((g) => (g.filters?.length ?? 0) > 0);
  const query = body.query?.toLowerCase();
  let hits = [...records].filter((r) => !r.archived);
  if (groups.length > 0) {
    hits = hits.filter((r) =>
      groups.some((g) => (g.filters ?? []).every((f) => matches(state, objectType, r, f))),
    );
  }
  if (query) {
    hits = hits.filter((r) => Object.values(r.properties).some((v) => v?.toLowerCase().includes(query)));
  }
  const sort = body.sorts?.[0];
  if (sort) {
    const name = typeof sort === "string" ? sort.replace(/^-/, "") : sort.propertyName;
    const desc = typeof sort === "string" ? sort.startsWith("-") : sort.direction === "DESCENDING";
    hits.sort((a, b) => {
      const c = compare(a.properties[name] ?? "", b.properties[name] ?? "");
      return desc ? -c : c;
    });
  } else {
    hits.sort((a, b) => Number(a.id) - Number(b.id));
  }
  const start = Number(body.after ?? 0) || 0;
  const limit = body.limit ?? 10;
  const page = hits.slice(start, start + limit);
  const next = start + limit < hits.length && start + limit < 10_000 ? String(start + limit) : undefined;
  return { total: hits.length, page, nextAfter: next };
}

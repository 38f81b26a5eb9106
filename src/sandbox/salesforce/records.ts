import { SALESFORCE_ID } from "./ids";
import type { SandboxField, SandboxObject } from "./schema";
import { nextSalesforceId, type SalesforceSandboxState, type SObjectRecord } from "./state";

/** A Salesforce error element, as in the REST error array and (with `statusCode`) in SaveResults. */
export interface SalesforceApiError {
  errorCode: string;
  message: string;
  fields?: string[];
}

export class SandboxApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: SalesforceApiError[],
  ) {
    super(errors[0]?.message ?? "error");
  }
}

export function apiError(
  status: number,
  errorCode: string,
  message: string,
  fields?: string[],
): SandboxApiError {
  return new SandboxApiError(status, [{ errorCode, message, ...(fields ? { fields } : {}) }]);
}

export function objectOrThrow(state: SalesforceSandboxState, name: string): SandboxObject {
  for (const object of state.objects.values()) {
    if (object.name.toLowerCase() === name.toLowerCase()) return object;
  }
  throw apiError(
    404,
    "NOT_FOUND",
    `The requested resource does not exist: sObject type '${name}' is not supported.`,
  );
}

export function fieldOf(object: SandboxObject, name: string): SandboxField | undefined {
  const lower = name.toLowerCase();
  return object.fields.find((f) => f.name.toLowerCase() === lower);
}

export function recordsOf(state: SalesforceSandboxState, object: SandboxObject): Map<string, SObjectRecord> {
  const records = state.records.get(object.name);
  if (!records) throw new Error(`no record store for ${object.name}`);
  return records;
}

/** Finds a record by 15- or 18-char id. */
export function findRecord(
  state: SalesforceSandboxState,
  object: SandboxObject,
  id: string,
): SObjectRecord | undefined {
  const records = recordsOf(state, object);
  if (id.length === 18) return records.get(id);
  for (const [key, record] of records) if (key.slice(0, 15) === id) return record;
  return undefined;
}

/** Which object an id belongs to, by key prefix. */
export function objectForId(state: SalesforceSandboxState, id: string): SandboxObject | undefined {
  for (const object of state.objects.values()) if (id.startsWith(object.keyPrefix)) return object;
  return undefined;
}

export function renderRecord(
  object: SandboxObject,
  record: Record<string, unknown>,
  version: string,
  fields?: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: {
      type: object.name,
      url: `/services/data/${version}/sobjects/${object.name}/${String(record.Id)}`,
    },
  };
  const names = fields ?? object.fields.map((f) => f.name);
  for (const name of names) {
    const field = fieldOf(object, name);
    if (!field)
      throw apiError(400, "INVALID_FIELD", `No such column '${name}' on entity '${object.name}'.`, [name]);
    out[field.name] = record[field.name] ?? null;
  }
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;

function invalid(errorCode: string, message: string, field: string): SandboxApiError {
  return apiError(400, errorCode, message, [field]);
}

function checkValue(
  state: SalesforceSandboxState,
  object: SandboxObject,
  field: SandboxField,
  value: unknown,
): unknown {
  if (value === null) {
    if (field.nillable === false) {
      throw invalid("REQUIRED_FIELD_MISSING", `Required fields are missing: [${field.name}]`, field.name);
    }
    return null;
  }
  const bad = (): SandboxApiError =>
    invalid(
      "INVALID_TYPE_ON_FIELD_IN_RECORD",
      `${field.name}: value not of required type: ${String(value)}`,
      field.name,
    );
  switch (field.type) {
    case "int":
      if (typeof value !== "number" || !Number.isInteger(value)) throw bad();
      return value;
    case "double":
    case "currency":
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad();
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw bad();
      return value;
    case "date":
      if (typeof value !== "string" || !DATE.test(value)) throw bad();
      return value;
    case "datetime":
      if (typeof value !== "string" || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) throw bad();
      return new Date(value).toISOString().replace("Z", "+0000");
    case "reference":
      if (typeof value !== "string" || !SALESFORCE_ID.test(value)) {
        throw invalid(
          "MALFORMED_ID",
          `${field.name}: id value of incorrect type: ${String(value)}`,
          field.name,
        );
      }
      return checkReference(state, object, field, value);
    case "picklist":
      if (typeof value !== "string") throw bad();
      if (field.restricted && field.picklist && !field.picklist.includes(value)) {
        throw invalid(
          "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
          `${field.label ?? field.name}: bad value for restricted picklist field: ${value}`,
          field.name,
        );
      }
      return value;
    default:
      if (typeof value !== "string") throw bad();
      if (field.length !== undefined && value.length > field.length) {
        throw invalid(
          "STRING_TOO_LONG",
          `${field.name}: data value too large (max length=${field.length})`,
          field.name,
        );
      }
      return value;
  }
}

function checkReference(
  state: SalesforceSandboxState,
  object: SandboxObject,
  field: SandboxField,
  id: string,
): string {
  const target = objectForId(state, id);
  const target18 = target ? findRecord(state, target, id) : undefined;
  if (!target || !target18 || !(field.referenceTo ?? []).includes(target.name)) {
    throw invalid("INVALID_CROSS_REFERENCE_KEY", `invalid cross reference id`, field.name);
  }
  if (target.name === "Lead" && target18.IsConverted === true && field.name !== "ConvertedLeadId") {
    // After conversion only the converted Contact/Account may be referenced, e.g. as a Task's WhoId
    // (https://help.salesforce.com/s/articleView?id=000384333&type=1).
    throw apiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", [field.name]);
  }
  if (field.name === "OwnerId") {
    if (target.name === "User" && target18.IsActive !== true) {
      throw invalid("INACTIVE_OWNER_OR_USER", "operation performed with inactive user as owner", field.name);
    }
    // A queue owns only the object types its QueueSobject rows list; a Task normally is not among them
    // (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_queuesobject.htm).
    // The refusal's wording is Salesforce's (apex-enterprise-patterns/fflib-apex-common#293, octoberswimmer/aer-dist#513).
    if (
      target.name === "Group" &&
      (target18.Type !== "Queue" || !queueOwns(state, target18.Id, object.name))
    ) {
      throw invalid(
        "FIELD_INTEGRITY_EXCEPTION",
        `${field.label ?? field.name}: id value of incorrect type: ${target18.Id}`,
        field.name,
      );
    }
  }
  return target18.Id;
}

/** Whether a QueueSobject row lets this queue own records of `objectName`. */
function queueOwns(state: SalesforceSandboxState, queueId: string, objectName: string): boolean {
  for (const row of state.records.get("QueueSobject")?.values() ?? []) {
    if (row.QueueId === queueId && row.SobjectType === objectName) return true;
  }
  return false;
}

export interface WriteContext {
  /** `Sforce-Auto-Assign` was sent as FALSE. */
  autoAssignOff: boolean;
  userId: string;
}

function applyAssignmentRule(
  state: SalesforceSandboxState,
  object: SandboxObject,
  record: SObjectRecord,
  ctx: WriteContext,
): void {
  // The org's active Lead assignment rule runs on API writes unless the caller sends Sforce-Auto-Assign: FALSE.
  if (object.name === "Lead" && !ctx.autoAssignOff && state.assignmentRuleOwnerId) {
    record.OwnerId = state.assignmentRuleOwnerId;
  }
}

function validatedFields(
  state: SalesforceSandboxState,
  object: SandboxObject,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === "attributes" || name.toLowerCase() === "id") continue;
    const field = fieldOf(object, name);
    if (!field)
      throw invalid("INVALID_FIELD", `No such column '${name}' on sobject of type ${object.name}`, name);
    if (field.updateable === false) {
      throw invalid(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        `Unable to create/update fields: ${field.name}. Please check the security settings of this field.`,
        field.name,
      );
    }
    out[field.name] = checkValue(state, object, field, value);
  }
  return out;
}

function touch(state: SalesforceSandboxState, record: SObjectRecord, ctx: WriteContext): void {
  const stamp = new Date(state.now()).toISOString().replace("Z", "+0000");
  record.LastModifiedDate = stamp;
  record.SystemModstamp = stamp;
  record.LastModifiedById = ctx.userId;
}

/** Validates a create without storing it; `commit` stores it. Lets collections honour allOrNone. */
export function prepareCreate(
  state: SalesforceSandboxState,
  object: SandboxObject,
  input: Record<string, unknown>,
  ctx: WriteContext,
): { commit: () => string } {
  if (object.createable === false) {
    throw apiError(400, "INVALID_TYPE_FOR_OPERATION", `entity type cannot be inserted: ${object.name}`);
  }
  const fields = validatedFields(state, object, input);
  const missing = object.requiredOnCreate.filter(
    (name) => fields[name] === undefined || fields[name] === null,
  );
  if (missing.length > 0) {
    throw apiError(
      400,
      "REQUIRED_FIELD_MISSING",
      `Required fields are missing: [${missing.join(", ")}]`,
      missing,
    );
  }
  return {
    commit: () => {
      const id = nextSalesforceId(state, object.name);
      const stamp = new Date(state.now()).toISOString().replace("Z", "+0000");
      const record: SObjectRecord = { Id: id };
      for (const field of object.fields) record[field.name] = null;
      Object.assign(record, fields, { Id: id, CreatedDate: stamp, CreatedById: ctx.userId });
      if (object.name === "Lead") {
        record.Name = `${String(record.FirstName ?? "")} ${String(record.LastName)}`.trim();
        record.Status ??= "Open - Not Contacted";
        record.OwnerId ??= ctx.userId;
        record.IsConverted = false;
      }
      if (object.name === "Task") {
        record.Status ??= "Not Started";
        record.Priority ??= "Normal";
        record.OwnerId ??= ctx.userId;
        record.TaskSubtype ??= "Task";
        record.IsClosed = record.Status === "Completed";
      }
      touch(state, record, ctx);
      applyAssignmentRule(state, object, record, ctx);
      recordsOf(state, object).set(id, record);
      return id;
    },
  };
}

/** Creates and stores a record; returns its id. */
export function createRecord(
  state: SalesforceSandboxState,
  object: SandboxObject,
  input: Record<string, unknown>,
  ctx: WriteContext,
): string {
  return prepareCreate(state, object, input, ctx).commit();
}

export function prepareUpdate(
  state: SalesforceSandboxState,
  object: SandboxObject,
  id: string,
  input: Record<string, unknown>,
  ctx: WriteContext,
): { id: string; commit: () => void } {
  if (!SALESFORCE_ID.test(id)) throw apiError(400, "MALFORMED_ID", `malformed id ${id}`);
  const record = findRecord(state, object, id);
  if (!record) throw apiError(404, "ENTITY_IS_DELETED", "entity is deleted");
  // A converted Lead is read-only: only its Converted*Id fields may still be referenced
  // (https://help.salesforce.com/s/articleView?id=000384333&type=1).
  if (object.name === "Lead" && record.IsConverted === true) {
    throw apiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead");
  }
  const fields = validatedFields(state, object, input);
  return {
    id: record.Id,
    commit: () => {
      Object.assign(record, fields);
      if (object.name === "Lead" && ("FirstName" in fields || "LastName" in fields)) {
        record.Name = `${String(record.FirstName ?? "")} ${String(record.LastName)}`.trim();
      }
      if (object.name === "Task" && "Status" in fields) {
        record.IsClosed = record.Status === "Completed";
        if (record.IsClosed)
          record.CompletedDateTime = new Date(state.now()).toISOString().replace("Z", "+0000");
      }
      touch(state, record, ctx);
      applyAssignmentRule(state, object, record, ctx);
    },
  };
}

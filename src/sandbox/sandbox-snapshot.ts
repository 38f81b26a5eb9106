import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { HubSpotSandboxState } from "./hubspot/state";
import type { SalesforceSandboxState } from "./salesforce/state";

/** Bumped when the snapshot's shape changes: an older file is left alone and the sandbox starts seeded afresh. */
const VERSION = 1;

/**
 * What a CRM keeps of its records between sessions: the portal's and the org's data (contacts and their
 * activities, forms and submissions, owners, properties, associations; Leads, Tasks, Accounts…) and the
 * counters that number new records, so a record made after a restart never takes an old one's id. Sessions,
 * rate windows, statistics and injected faults are not data: they start afresh, as they would at the CRM.
 */
interface Snapshot {
  version: number;
  hubspot: Pick<
    HubSpotSandboxState,
    | "portalId"
    | "owners"
    | "objects"
    | "properties"
    | "groups"
    | "associations"
    | "webEvents"
    | "forms"
    | "nextId"
  >;
  salesforce: Pick<SalesforceSandboxState, "orgId" | "records" | "serials">;
}

/** JSON for Maps: `{ "$map": [[key, value], …] }`. */
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? { $map: [...value.entries()] } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (
    value &&
    typeof value === "object" &&
    "$map" in value &&
    Array.isArray((value as { $map: unknown }).$map)
  ) {
    return new Map((value as { $map: [unknown, unknown][] }).$map);
  }
  return value;
}

/**
 * Writes the sandbox's CRM data to `file` (through a temporary file and a rename, so a crash mid-write leaves the
 * previous snapshot whole).
 */
export function saveSandboxSnapshot(
  file: string,
  hubspot: HubSpotSandboxState,
  salesforce: SalesforceSandboxState,
): void {
  const snapshot: Snapshot = {
    version: VERSION,
    hubspot: {
      portalId: hubspot.portalId,
      owners: hubspot.owners,
      objects: hubspot.objects,
      properties: hubspot.properties,
      groups: hubspot.groups,
      associations: hubspot.associations,
      webEvents: hubspot.webEvents,
      forms: hubspot.forms,
      nextId: hubspot.nextId,
    },
    salesforce: { orgId: salesforce.orgId, records: salesforce.records, serials: salesforce.serials },
  };
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(snapshot, replacer));
  renameSync(temporary, file);
}

/**
 * Puts the CRM data of an earlier session (`saveSandboxSnapshot`) back into freshly created sandbox states.
 * @returns false when there is no snapshot, or it is of another portal, org or version (the states stay as seeded)
 */
export function loadSandboxSnapshot(
  file: string,
  hubspot: HubSpotSandboxState,
  salesforce: SalesforceSandboxState,
): boolean {
  if (!existsSync(file)) return false;
  const snapshot = JSON.parse(readFileSync(file, "utf8"), reviver) as Snapshot;
  if (
    snapshot.version !== VERSION ||
    snapshot.hubspot.portalId !== hubspot.portalId ||
    snapshot.salesforce.orgId !== salesforce.orgId
  ) {
    return false;
  }
  Object.assign(hubspot, snapshot.hubspot);
  Object.assign(salesforce, snapshot.salesforce);
  return true;
}

import path from "node:path";
import type { Clock } from "../ports/clock";
import type { Connection } from "../ports/connections";
import type { Logger } from "../ports/logger";
import type { ActiveSla, SlaVersionStore } from "../ports/sla-versions";
import { loadSlaFile } from "../sla/load-sla";

/** Where an unpublished connection's SLA comes from: the connection's `slaFile` setting or the default per CRM. */
export const DEFAULT_SLA_FILES = {
  hubspot: "config/sla.default.yaml",
  salesforce: "config/sla.demo-salesforce.yaml",
} as const;

/** The file an unpublished connection runs on: its `slaFile` setting, or the default for its CRM. */
export function slaFilePath(connection: Pick<Connection, "crm" | "settings"> | null): string {
  return path.resolve(
    typeof connection?.settings.slaFile === "string"
      ? connection.settings.slaFile
      : DEFAULT_SLA_FILES[connection?.crm ?? "hubspot"],
  );
}

/**
 * The SLA in force for a connection: the published, signed version from the database; until one is
 * published, the configured file (warned once), so a fresh install runs on the commented default.
 */
export function createSlaRegistry(options: {
  versions: Pick<SlaVersionStore, "active">;
  /** What the connection runs on (its CRM and settings; never its secrets), null when unknown. */
  connections: { get(connectionId: string): Promise<Pick<Connection, "crm" | "settings"> | null> };
  logger: Logger;
  /** Which SLA version is in force is read at this instant. */
  now: Clock;
}) {
  const files = new Map<string, Promise<ActiveSla>>();
  const warned = new Set<string>();
  const now = options.now;
  return async function slaFor(connectionId: string): Promise<ActiveSla> {
    const published = await options.versions.active(connectionId, now());
    if (published) return published;
    const file = slaFilePath(await options.connections.get(connectionId));
    if (!warned.has(connectionId)) {
      warned.add(connectionId);
      options.logger.warn("no published SLA for this connection; using the file", {
        connectionId,
        file: path.basename(file),
      });
    }
    let loaded = files.get(file);
    if (!loaded) {
      loaded = loadSlaFile(file).then(({ sla, hash }) => ({ sla, hash }));
      loaded.catch(() => files.delete(file));
      files.set(file, loaded);
    }
    return loaded;
  };
}

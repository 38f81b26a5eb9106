/** One line of the audit log: who did what to which subject; ids and counts only, never names or secrets. */
export interface AuditEntry {
  /** The connection it concerns; null for something that spans every connection. */
  connectionId: string | null;
  /** `admin`, `cli:<user>`, `rep:ben`, … */
  actor: string;
  action: string;
  subject?: string | null;
  details?: Record<string, unknown>;
}

/** The audit log admins read: every change someone made by hand (replays, disconnects, …). */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

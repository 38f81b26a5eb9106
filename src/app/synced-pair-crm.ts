import type { Activity, Lead, LeadConversion } from "../domain/lead";
import type {
  Conversion,
  CreatedTask,
  CrmAccount,
  CrmOwner,
  CrmPort,
  CrmTouch,
  FollowUpTask,
  LeadRecord,
  LeadRecordInput,
  LeadUpdate,
  RateBudget,
} from "../ports/crm";

/**
 * The sales side of a synced pair as the pipeline sees it: the Salesforce lead is the record (read, owned, tasked,
 * written), while the person's engagement (page views, form submissions) is read from the HubSpot contact it was
 * synced from. Nothing is ever written to HubSpot through it.
 */
export class SyncedPairCrm implements CrmPort {
  readonly crm = "salesforce" as const;
  readonly conversionOwner?: (conversion: LeadConversion) => Promise<string | undefined>;
  readonly openLeadRecord?: (
    input: LeadRecordInput,
  ) => Promise<{ record: LeadRecord; created: boolean } | null>;
  readonly getLeadRecord?: (id: string) => Promise<LeadRecord | null>;

  constructor(
    private readonly sales: CrmPort,
    private readonly marketing: CrmPort,
    /** The HubSpot contact a Salesforce lead was synced from (null: not known yet). */
    private readonly contactOf: (leadId: string) => Promise<string | null>,
  ) {
    if (sales.conversionOwner) this.conversionOwner = (c) => sales.conversionOwner!(c);
    if (sales.openLeadRecord) this.openLeadRecord = (i) => sales.openLeadRecord!(i);
    if (sales.getLeadRecord) this.getLeadRecord = (id) => sales.getLeadRecord!(id);
  }

  getLeads(ids: string[], extraProperties?: string[]): Promise<Lead[]> {
    return this.sales.getLeads(ids, extraProperties);
  }

  updateLeads(updates: LeadUpdate[]): Promise<void> {
    return this.sales.updateLeads(updates);
  }

  createTask(task: FollowUpTask): Promise<CreatedTask> {
    return this.sales.createTask(task);
  }

  listOwners(): Promise<CrmOwner[]> {
    return this.sales.listOwners();
  }

  findAccountsByDomain(domain: string): Promise<CrmAccount[]> {
    return this.sales.findAccountsByDomain(domain);
  }

  findDuplicatesByEmail(email: string, excludeId?: string): Promise<Lead[]> {
    return this.sales.findDuplicatesByEmail(email, excludeId);
  }

  /** The contact's last HubSpot form submission; Salesforce's own where the contact is not known yet. */
  async getLastConversion(leadId: string): Promise<Conversion | null> {
    const contactId = await this.contactOf(leadId);
    if (!contactId) return this.sales.getLastConversion(leadId);
    return (await this.marketing.getLastConversion(contactId)) ?? this.sales.getLastConversion(leadId);
  }

  /** HubSpot's activity of the contact (marketing's evidence) with Salesforce's own, newest first. */
  async getRecentActivities(leadId: string, limit: number): Promise<Activity[]> {
    const contactId = await this.contactOf(leadId);
    const [marketing, sales] = await Promise.all([
      contactId ? this.marketing.getRecentActivities(contactId, limit) : Promise.resolve([]),
      this.sales.getRecentActivities(leadId, limit),
    ]);
    return [...marketing, ...sales].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
  }

  countOpenLeadsByOwner(ownerIds: string[], openStatuses?: string[]): Promise<Record<string, number>> {
    return this.sales.countOpenLeadsByOwner(ownerIds, openStatuses);
  }

  listTouches(leadId: string, since: string): Promise<CrmTouch[]> {
    return this.sales.listTouches(leadId, since);
  }

  ensureFields(): Promise<{ created: string[]; missing: string[] }> {
    return this.sales.ensureFields();
  }

  rateBudget(): RateBudget {
    return this.sales.rateBudget();
  }
}

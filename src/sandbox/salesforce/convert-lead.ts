/**
 * Lead conversion in the sandbox org, as a rep does it from the Lead page (or Apex/SOAP `convertLead()`):
 * the Lead becomes an Account, a Contact and (unless asked not to) an Opportunity, and is read-only from then on.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm
 */
import { apiError, findRecord, objectOrThrow, prepareCreate, type WriteContext } from "./records";
import { CONVERTED_LEAD_STATUSES } from "./schema";
import type { SalesforceSandboxState } from "./state";

/** The inputs of `LeadConvert` the sandbox models. */
export interface LeadConvertInput {
  leadId: string;
  /** A LeadStatus with IsConverted = true. @default "Closed - Converted" */
  convertedStatus?: string;
  /** Owner of the new Account, Contact and Opportunity. @default the Lead's owner (required when a queue owns it) */
  ownerId?: string;
  /** Merge into this existing Account instead of creating one. */
  accountId?: string;
  /** @default false */
  doNotCreateOpportunity?: boolean;
}

/** Salesforce's `LeadConvertResult` (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead_leadconvertresult.htm). */
export interface LeadConvertResult {
  leadId: string;
  accountId: string;
  contactId: string;
  opportunityId: string | null;
  success: true;
}

/**
 * Converts a Lead; refuses what Salesforce refuses: a Lead already converted, a status that is not a converted
 * one, and a queue-owned Lead without an owner for the new records (accounts and contacts cannot be owned by a queue).
 * @throws SandboxApiError
 */
export function convertLead(
  state: SalesforceSandboxState,
  input: LeadConvertInput,
  ctx: WriteContext,
): LeadConvertResult {
  const leadObject = objectOrThrow(state, "Lead");
  const lead = findRecord(state, leadObject, input.leadId);
  if (!lead) throw apiError(404, "ENTITY_IS_DELETED", "entity is deleted");
  if (lead.IsConverted === true) {
    throw apiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead");
  }
  const status = input.convertedStatus ?? CONVERTED_LEAD_STATUSES[0]!;
  if (!CONVERTED_LEAD_STATUSES.includes(status)) {
    throw apiError(400, "INVALID_STATUS", `invalid convertedStatus: ${status}`, ["convertedStatus"]);
  }
  const leadOwner = String(lead.OwnerId);
  if (!input.ownerId && leadOwner.startsWith("00G")) {
    throw apiError(
      400,
      "INVALID_CROSS_REFERENCE_KEY",
      "owner must be specified for a lead owned by a queue",
      ["ownerId"],
    );
  }
  const ownerId = input.ownerId ?? leadOwner;
  const create = (object: string, fields: Record<string, unknown>) =>
    prepareCreate(state, objectOrThrow(state, object), fields, ctx).commit();
  const accountId =
    input.accountId ??
    create("Account", {
      Name: lead.Company,
      OwnerId: ownerId,
      ...(lead.Website ? { Website: lead.Website } : {}),
      ...(lead.NumberOfEmployees !== null ? { NumberOfEmployees: lead.NumberOfEmployees } : {}),
      ...(lead.Industry ? { Industry: lead.Industry } : {}),
      ...(lead.Country ? { BillingCountry: lead.Country } : {}),
    });
  const contactId = create("Contact", {
    ...(lead.FirstName ? { FirstName: lead.FirstName } : {}),
    LastName: lead.LastName,
    ...(lead.Email ? { Email: lead.Email } : {}),
    ...(lead.Title ? { Title: lead.Title } : {}),
    ...(lead.LeadSource ? { LeadSource: lead.LeadSource } : {}),
    AccountId: accountId,
    OwnerId: ownerId,
  });
  const today = new Date(state.now()).toISOString().slice(0, 10);
  const opportunityId = input.doNotCreateOpportunity
    ? null
    : create("Opportunity", {
        Name: `${String(lead.Company)}-`,
        StageName: "Prospecting",
        CloseDate: today,
        AccountId: accountId,
        OwnerId: ownerId,
        ...(lead.LeadSource ? { LeadSource: lead.LeadSource } : {}),
      });
  const stamp = new Date(state.now()).toISOString().replace("Z", "+0000");
  Object.assign(lead, {
    IsConverted: true,
    ConvertedDate: today,
    ConvertedAccountId: accountId,
    ConvertedContactId: contactId,
    ConvertedOpportunityId: opportunityId,
    Status: status,
    LastModifiedDate: stamp,
    SystemModstamp: stamp,
    LastModifiedById: ctx.userId,
  });
  return { leadId: lead.Id, accountId, contactId, opportunityId, success: true };
}

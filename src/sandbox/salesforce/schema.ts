/**
 * The sandbox org's object metadata: what describe returns and what writes are validated against.
 * Only the objects and fields the Salesforce adapter touches, with the real API names and types.
 */

export type SandboxFieldType =
  | "id"
  | "string"
  | "email"
  | "picklist"
  | "int"
  | "currency"
  | "double"
  | "boolean"
  | "date"
  | "datetime"
  | "reference"
  | "textarea"
  | "url";

export interface SandboxField {
  name: string;
  type: SandboxFieldType;
  label?: string;
  custom?: boolean;
  /** False for system fields (Id, CreatedDate, SystemModstamp…). */
  updateable?: boolean;
  nillable?: boolean;
  picklist?: string[];
  /** Restricted picklists refuse values outside the list. */
  restricted?: boolean;
  length?: number;
  referenceTo?: string[];
}

export interface SandboxObject {
  name: string;
  label: string;
  keyPrefix: string;
  fields: SandboxField[];
  /** Fields that must be present on create. */
  requiredOnCreate: string[];
  /** False for objects the API cannot insert (the org's own Organization record). @default true */
  createable?: boolean;
}

const system = (name: string, type: SandboxFieldType): SandboxField => ({ name, type, updateable: false });
const auditFields: SandboxField[] = [
  system("Id", "id"),
  system("CreatedDate", "datetime"),
  system("LastModifiedDate", "datetime"),
  system("SystemModstamp", "datetime"),
  system("CreatedById", "reference"),
  system("LastModifiedById", "reference"),
];

export const LEAD_STATUSES = [
  "Open - Not Contacted",
  "Working - Contacted",
  "Marketing Qualified",
  "Sales Accepted",
  "Nurture",
  "Closed - Converted",
  "Closed - Not Converted",
];

/**
 * Lead statuses whose LeadStatus row has IsConverted = true: the only values convertLead accepts as
 * `convertedStatus` (https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-leadstatus.html).
 */
export const CONVERTED_LEAD_STATUSES = ["Closed - Converted"];

export const LEAD_SOURCES = [
  "Web",
  "Phone Inquiry",
  "Partner Referral",
  "Purchased List",
  "Webinar",
  "Other",
];

export const INDUSTRIES = [
  "Technology",
  "Software",
  "Finance",
  "Manufacturing",
  "Construction",
  "Healthcare",
  "Retail",
  "Education",
];

/** The custom fields Handoff writes on Lead (checked by the adapter's ensureFields). */
export const HANDOFF_LEAD_FIELDS: SandboxField[] = [
  { name: "Handoff_Fit_Score__c", type: "double", custom: true, label: "Handoff Fit Score" },
  { name: "Handoff_Engagement_Score__c", type: "double", custom: true, label: "Handoff Engagement Score" },
  { name: "Handoff_Score__c", type: "double", custom: true, label: "Handoff Score" },
  {
    name: "Handoff_Score_Summary__c",
    type: "textarea",
    custom: true,
    length: 32768,
    label: "Handoff Score Summary",
  },
  { name: "Handoff_Decision_Id__c", type: "string", custom: true, length: 64, label: "Handoff Decision Id" },
  { name: "Handoff_SLA_Version__c", type: "string", custom: true, length: 64, label: "Handoff SLA Version" },
  { name: "Handoff_Follow_Up_Due__c", type: "datetime", custom: true, label: "Handoff Follow-up Due" },
];

/** `Organization.OrganizationType` values (the org's edition as the API names it; object reference above). */
export const ORGANIZATION_TYPES = [
  "Team Edition",
  "Professional Edition",
  "Enterprise Edition",
  "Developer Edition",
  "Personal Edition",
  "Unlimited Edition",
  "Contact Manager Edition",
  "Base Edition",
];

export const SANDBOX_OBJECTS: SandboxObject[] = [
  {
    name: "Lead",
    label: "Lead",
    keyPrefix: "00Q",
    requiredOnCreate: ["LastName", "Company"],
    fields: [
      ...auditFields,
      { name: "FirstName", type: "string", length: 40 },
      { name: "LastName", type: "string", length: 80, nillable: false },
      { name: "Name", type: "string", updateable: false },
      { name: "Email", type: "email" },
      { name: "Phone", type: "string" },
      { name: "Company", type: "string", length: 255, nillable: false },
      { name: "Title", type: "string", length: 128 },
      { name: "Industry", type: "picklist", picklist: INDUSTRIES },
      { name: "NumberOfEmployees", type: "int" },
      { name: "AnnualRevenue", type: "currency" },
      { name: "Website", type: "url" },
      { name: "Street", type: "textarea" },
      { name: "City", type: "string" },
      { name: "State", type: "string" },
      { name: "StateCode", type: "string" },
      { name: "PostalCode", type: "string", length: 20 },
      { name: "Country", type: "string" },
      { name: "CountryCode", type: "string" },
      { name: "LeadSource", type: "picklist", picklist: LEAD_SOURCES },
      { name: "Status", type: "picklist", picklist: LEAD_STATUSES, restricted: true, nillable: false },
      { name: "Rating", type: "picklist", picklist: ["Hot", "Warm", "Cold"] },
      {
        name: "OwnerId",
        type: "reference",
        referenceTo: ["User", "Group"],
        nillable: false,
        label: "Owner ID",
      },
      // Set by lead conversion only, read-only through the API
      // (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm).
      { name: "IsConverted", type: "boolean", updateable: false },
      { name: "ConvertedDate", type: "date", updateable: false },
      { name: "ConvertedContactId", type: "reference", referenceTo: ["Contact"], updateable: false },
      { name: "ConvertedAccountId", type: "reference", referenceTo: ["Account"], updateable: false },
      { name: "ConvertedOpportunityId", type: "reference", referenceTo: ["Opportunity"], updateable: false },
      { name: "Description", type: "textarea" },
      ...HANDOFF_LEAD_FIELDS,
    ],
  },
  {
    name: "Task",
    label: "Task",
    keyPrefix: "00T",
    requiredOnCreate: [],
    fields: [
      ...auditFields,
      { name: "WhoId", type: "reference", referenceTo: ["Lead", "Contact"] },
      { name: "WhatId", type: "reference", referenceTo: ["Account"] },
      { name: "OwnerId", type: "reference", referenceTo: ["User", "Group"], label: "Assigned To ID" },
      { name: "Subject", type: "string", length: 255 },
      { name: "ActivityDate", type: "date" },
      { name: "Status", type: "picklist", picklist: ["Not Started", "In Progress", "Completed", "Deferred"] },
      { name: "Priority", type: "picklist", picklist: ["High", "Normal", "Low"] },
      { name: "Type", type: "picklist", picklist: ["Call", "Email", "Meeting", "Other"] },
      { name: "TaskSubtype", type: "picklist", picklist: ["Task", "Email", "Call"] },
      { name: "Description", type: "textarea", length: 32000 },
      { name: "IsClosed", type: "boolean", updateable: false },
      { name: "CompletedDateTime", type: "datetime", updateable: false },
      { name: "ReminderDateTime", type: "datetime" },
      { name: "IsReminderSet", type: "boolean" },
      {
        name: "Handoff_Decision_Id__c",
        type: "string",
        custom: true,
        length: 64,
        label: "Handoff Decision Id",
      },
    ],
  },
  {
    name: "User",
    label: "User",
    keyPrefix: "005",
    requiredOnCreate: ["LastName", "Email", "Username"],
    fields: [
      ...auditFields,
      { name: "Username", type: "string" },
      { name: "FirstName", type: "string" },
      { name: "LastName", type: "string" },
      { name: "Name", type: "string", updateable: false },
      { name: "Email", type: "email" },
      { name: "IsActive", type: "boolean" },
      { name: "UserType", type: "picklist", picklist: ["Standard", "AutomatedProcess", "CsnOnly"] },
      { name: "ManagerId", type: "reference", referenceTo: ["User"] },
      { name: "Department", type: "string" },
      { name: "Title", type: "string" },
      { name: "TimeZoneSidKey", type: "picklist" },
    ],
  },
  {
    name: "Group",
    label: "Group",
    keyPrefix: "00G",
    requiredOnCreate: ["Name"],
    fields: [
      ...auditFields,
      { name: "Name", type: "string" },
      { name: "DeveloperName", type: "string" },
      { name: "Type", type: "picklist", picklist: ["Queue", "Regular", "Role"] },
      { name: "Email", type: "email" },
    ],
  },
  {
    // Which objects a queue may own: one row per queue and object type
    // (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_queuesobject.htm).
    name: "QueueSobject",
    label: "Queue Sobject",
    keyPrefix: "03g",
    requiredOnCreate: ["QueueId", "SobjectType"],
    fields: [
      ...auditFields,
      { name: "QueueId", type: "reference", referenceTo: ["Group"] },
      { name: "SobjectType", type: "string" },
    ],
  },
  {
    name: "Account",
    label: "Account",
    keyPrefix: "001",
    requiredOnCreate: ["Name"],
    fields: [
      ...auditFields,
      { name: "Name", type: "string" },
      { name: "Website", type: "url" },
      { name: "OwnerId", type: "reference", referenceTo: ["User"] },
      { name: "NumberOfEmployees", type: "int" },
      { name: "Industry", type: "picklist", picklist: INDUSTRIES },
      { name: "BillingCountry", type: "string" },
    ],
  },
  {
    name: "Contact",
    label: "Contact",
    keyPrefix: "003",
    requiredOnCreate: ["LastName"],
    fields: [
      ...auditFields,
      { name: "FirstName", type: "string" },
      { name: "LastName", type: "string" },
      { name: "Email", type: "email" },
      { name: "AccountId", type: "reference", referenceTo: ["Account"] },
      { name: "OwnerId", type: "reference", referenceTo: ["User"] },
      { name: "Title", type: "string" },
      { name: "LeadSource", type: "picklist", picklist: LEAD_SOURCES },
    ],
  },
  {
    name: "Opportunity",
    label: "Opportunity",
    keyPrefix: "006",
    requiredOnCreate: ["Name", "StageName", "CloseDate"],
    fields: [
      ...auditFields,
      { name: "Name", type: "string", length: 120 },
      {
        name: "StageName",
        type: "picklist",
        picklist: ["Prospecting", "Qualification", "Closed Won", "Closed Lost"],
      },
      { name: "CloseDate", type: "date" },
      { name: "AccountId", type: "reference", referenceTo: ["Account"] },
      { name: "OwnerId", type: "reference", referenceTo: ["User"] },
      { name: "LeadSource", type: "picklist", picklist: LEAD_SOURCES },
    ],
  },
  {
    // The org itself: one record, queried for its edition (`OrganizationType`, labelled "Edition"). Its supported
    // calls are describe, query, retrieve and update; it cannot be created
    // (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm;
    // field list: https://developer.salesforce.com/docs/atlas.en-us.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_Organization.htm).
    name: "Organization",
    label: "Organization",
    keyPrefix: "00D",
    requiredOnCreate: [],
    createable: false,
    fields: [
      ...auditFields,
      { name: "Name", type: "string", length: 80 },
      {
        name: "OrganizationType",
        type: "picklist",
        label: "Edition",
        updateable: false,
        restricted: true,
        picklist: ORGANIZATION_TYPES,
      },
      system("IsSandbox", "boolean"),
      system("InstanceName", "string"),
    ],
  },
];

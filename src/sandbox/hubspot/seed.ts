import {
  associate,
  type HubSpotOwner,
  type HubSpotProperty,
  type HubSpotPropertyOption,
  type HubSpotRecord,
  type HubSpotSandboxState,
} from "./state";

/** Owner ids of the demo portal (DESIGN §7): docs, SLA examples and tests rely on them. */
export const HUBSPOT_DEMO_OWNERS = {
  anna: "80001",
  ben: "80002",
  carla: "80003",
  diego: "80004",
  emma: "80005",
  /** Deactivated: only listed with `archived=true`, never routable. */
  felix: "80006",
  /** Sales manager (escalations). */
  maria: "80007",
  /** Queue "Inbound triage" (the fallback). */
  inboundTriage: "80010",
} as const;

/** Forms of the demo portal, by guid. */
export const HUBSPOT_DEMO_FORMS = {
  contactMe: { id: "3f1b2c4d-0001-4a5b-9c6d-contactme0001", name: "Contact me" },
  demoRequest: { id: "3f1b2c4d-0002-4a5b-9c6d-demoreqst0002", name: "Demo request" },
  ebook: { id: "3f1b2c4d-0003-4a5b-9c6d-ebookdwnl0003", name: "E-book: The lead handoff playbook" },
  webinar: { id: "3f1b2c4d-0004-4a5b-9c6d-webinarrg0004", name: "Webinar: Speed to lead" },
  newsletter: { id: "3f1b2c4d-0005-4a5b-9c6d-newslettr0005", name: "Newsletter" },
} as const;

export const HUBSPOT_DEMO_FIRST_CONTACT_ID = 501;

/** Lifecycle stage options, in HubSpot's order (backward moves are ignored, reference §6). */
export const LIFECYCLE_STAGES = [
  "subscriber",
  "lead",
  "marketingqualifiedlead",
  "salesqualifiedlead",
  "opportunity",
  "customer",
  "evangelist",
  "other",
];
export const LEAD_STATUSES = [
  "NEW",
  "OPEN",
  "IN_PROGRESS",
  "OPEN_DEAL",
  "UNQUALIFIED",
  "ATTEMPTED_TO_CONTACT",
  "CONNECTED",
  "BAD_TIMING",
];

const SEED_TIME = "2026-01-05T09:00:00.000Z";

function owner(
  id: string,
  userId: number,
  firstName: string,
  lastName: string,
  team: { id: string; name: string },
  archived = false,
): HubSpotOwner {
  return {
    id,
    userId: archived ? null : userId,
    userIdIncludingInactive: userId,
    email: `${firstName}.${lastName}@handoff-demo.example`.toLowerCase(),
    firstName,
    lastName,
    type: "PERSON",
    archived,
    teams: [{ ...team, primary: true }],
    createdAt: SEED_TIME,
    updatedAt: SEED_TIME,
  };
}

const DACH = { id: "7001", name: "DACH" };
const IBERIA = { id: "7002", name: "Iberia" };
const FRANCE_UK = { id: "7003", name: "France & UK" };
const MANAGEMENT = { id: "7000", name: "Sales management" };

function demoOwners(): HubSpotOwner[] {
  return [
    owner("80001", 5100001, "Anna", "Berg", DACH),
    owner("80002", 5100002, "Ben", "Vogel", DACH),
    owner("80003", 5100003, "Carla", "Ruiz", IBERIA),
    owner("80004", 5100004, "Diego", "Sanz", IBERIA),
    owner("80005", 5100005, "Emma", "Stone", FRANCE_UK),
    owner("80006", 5100006, "Felix", "Hart", DACH, true),
    owner("80007", 5100007, "Maria", "Lopez", MANAGEMENT),
    {
      id: "80010",
      userId: null,
      userIdIncludingInactive: null,
      email: "inbound-triage@handoff-demo.example",
      firstName: "Inbound triage",
      lastName: "",
      type: "QUEUE",
      archived: false,
      teams: [],
      createdAt: SEED_TIME,
      updatedAt: SEED_TIME,
    },
  ];
}

function prop(
  name: string,
  label: string,
  type: string,
  fieldType: string,
  groupName: string,
  options: HubSpotPropertyOption[] = [],
  hidden = false,
): HubSpotProperty {
  return {
    name,
    label,
    type,
    fieldType,
    groupName,
    description: "",
    options,
    hidden,
    hubspotDefined: true,
    createdAt: SEED_TIME,
    updatedAt: SEED_TIME,
  };
}

const opts = (values: string[]): HubSpotPropertyOption[] =>
  values.map((value, displayOrder) => ({ label: value, value, displayOrder, hidden: false }));

function contactProperties(ownerIds: string[]): HubSpotProperty[] {
  const info = "contactinformation";
  const analytics = "analyticsinformation";
  const conversion = "conversioninformation";
  return [
    prop("email", "Email", "string", "text", info),
    prop("hs_additional_emails", "Additional email addresses", "enumeration", "checkbox", info),
    prop("firstname", "First Name", "string", "text", info),
    prop("lastname", "Last Name", "string", "text", info),
    prop("company", "Company Name", "string", "text", info),
    prop("website", "Website URL", "string", "text", info),
    prop("jobtitle", "Job Title", "string", "text", info),
    prop(
      "hs_seniority",
      "Seniority",
      "enumeration",
      "select",
      info,
      opts(["employee", "manager", "director", "vp", "executive", "owner"]),
    ),
    prop("industry", "Industry", "string", "text", info),
    prop("numemployees", "Number of Employees", "number", "number", info),
    prop("annualrevenue", "Annual Revenue", "number", "number", info),
    prop("country", "Country/Region", "string", "text", info),
    prop("state", "State/Region", "string", "text", info),
    prop("city", "City", "string", "text", info),
    prop("zip", "Postal Code", "string", "text", info),
    prop("phone", "Phone Number", "string", "text", info),
    prop("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", info, opts(LIFECYCLE_STAGES)),
    prop("hs_lead_status", "Lead Status", "enumeration", "radio", "sales_properties", opts(LEAD_STATUSES)),
    prop(
      "hubspot_owner_id",
      "Contact owner",
      "enumeration",
      "select",
      "sales_properties",
      ownerIds.map((id, i) => ({ label: id, value: id, displayOrder: i, hidden: false })),
    ),
    prop("hubspot_owner_assigneddate", "Owner assigned date", "datetime", "date", "sales_properties"),
    prop("createdate", "Create Date", "datetime", "date", info),
    prop("lastmodifieddate", "Last Modified Date", "datetime", "date", info),
    prop("hs_object_id", "Record ID", "number", "number", info),
    prop(
      "hs_analytics_source",
      "Original Traffic Source",
      "enumeration",
      "select",
      analytics,
      opts([
        "ORGANIC_SEARCH",
        "PAID_SEARCH",
        "EMAIL_MARKETING",
        "SOCIAL_MEDIA",
        "REFERRALS",
        "DIRECT_TRAFFIC",
        "PAID_SOCIAL",
        "OFFLINE",
      ]),
    ),
    prop("hs_analytics_source_data_1", "Original Traffic Source Drill-Down 1", "string", "text", analytics),
    prop("hs_analytics_source_data_2", "Original Traffic Source Drill-Down 2", "string", "text", analytics),
    prop("hs_analytics_first_url", "First Page Seen", "string", "text", analytics),
    prop("hs_analytics_last_url", "Last Page Seen", "string", "text", analytics),
    prop("hs_analytics_num_page_views", "Number of Pageviews", "number", "number", analytics),
    prop("hs_analytics_num_visits", "Number of Sessions", "number", "number", analytics),
    prop("hs_analytics_last_visit_timestamp", "Time of Last Session", "datetime", "date", analytics),
    prop("recent_conversion_event_name", "Recent Conversion", "string", "text", conversion),
    prop("recent_conversion_date", "Recent Conversion Date", "datetime", "date", conversion),
    prop("first_conversion_event_name", "First Conversion", "string", "text", conversion),
    prop("first_conversion_date", "First Conversion Date", "datetime", "date", conversion),
    prop("num_conversion_events", "Number of Form Submissions", "number", "number", conversion),
    prop("hs_sa_first_engagement_date", "Date of first engagement", "datetime", "date", "sales_properties"),
  ];
}

function taskProperties(ownerIds: string[]): HubSpotProperty[] {
  const g = "task";
  return [
    prop("hs_timestamp", "Due date", "datetime", "date", g),
    prop("hs_task_subject", "Task Title", "string", "text", g),
    prop("hs_task_body", "Task notes", "string", "textarea", g),
    prop(
      "hs_task_status",
      "Task Status",
      "enumeration",
      "select",
      g,
      opts(["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"]),
    ),
    prop("hs_task_priority", "Priority", "enumeration", "select", g, opts(["NONE", "LOW", "MEDIUM", "HIGH"])),
    prop("hs_task_type", "Task Type", "enumeration", "select", g, opts(["TODO", "CALL", "EMAIL"])),
    prop("hs_task_completion_date", "Completed at", "datetime", "date", g),
    prop("hs_task_reminders", "Reminder", "datetime", "date", g),
    prop(
      "hubspot_owner_id",
      "Assigned to",
      "enumeration",
      "select",
      g,
      ownerIds.map((id, i) => ({ label: id, value: id, displayOrder: i, hidden: false })),
    ),
    prop("hs_createdate", "Created at", "datetime", "date", g),
  ];
}

/**
 * The Leads object's properties Handoff uses (https://developers.hubspot.com/docs/api-reference/crm-leads-v3/guide):
 * the default lead pipeline's stages and the disqualification reasons (option values as portals show them in
 * public code, e.g. NOT_A_GOOD_FIT; the rest unverified).
 */
export const LEAD_PIPELINE_STAGES = [
  "new-stage-id",
  "attempting-stage-id",
  "connected-stage-id",
  "qualified-stage-id",
  "unqualified-stage-id",
];
export const LEAD_DISQUALIFICATION_REASONS = [
  "NOT_A_GOOD_FIT",
  "NO_BUDGET",
  "BAD_TIMING",
  "WENT_WITH_COMPETITOR",
  "NO_RESPONSE",
  "OTHER",
];

function leadProperties(ownerIds: string[]): HubSpotProperty[] {
  const g = "lead_information";
  return [
    prop("hs_lead_name", "Lead name", "string", "text", g),
    prop("hs_pipeline", "Pipeline", "enumeration", "select", g, opts(["lead-pipeline-id"])),
    prop("hs_pipeline_stage", "Lead stage", "enumeration", "select", g, opts(LEAD_PIPELINE_STAGES)),
    prop(
      "hs_lead_disqualification_reason",
      "Disqualification reason",
      "enumeration",
      "select",
      g,
      opts(LEAD_DISQUALIFICATION_REASONS),
    ),
    prop(
      "hubspot_owner_id",
      "Lead owner",
      "enumeration",
      "select",
      g,
      ownerIds.map((id, i) => ({ label: id, value: id, displayOrder: i, hidden: false })),
    ),
    prop("hs_createdate", "Created at", "datetime", "date", g),
  ];
}

function engagementProperties(kind: string): HubSpotProperty[] {
  return [
    prop("hs_timestamp", "Activity date", "datetime", "date", kind),
    prop("hubspot_owner_id", "Activity assigned to", "enumeration", "select", kind),
    prop(`hs_${kind}_title`, "Title", "string", "text", kind),
  ];
}

function companyProperties(): HubSpotProperty[] {
  const g = "companyinformation";
  return [
    prop("name", "Name", "string", "text", g),
    prop("domain", "Company Domain Name", "string", "text", g),
    prop("industry", "Industry", "string", "text", g),
    prop("numberofemployees", "Number of Employees", "number", "number", g),
    prop("country", "Country/Region", "string", "text", g),
    prop("city", "City", "string", "text", g),
    prop("hubspot_owner_id", "Company owner", "enumeration", "select", g),
    prop("createdate", "Create Date", "datetime", "date", g),
  ];
}

interface DemoCompany {
  id: string;
  name: string;
  domain: string;
  industry: string;
  employees: number;
  country: string;
  city: string;
  ownerId: string | null;
}

export const HUBSPOT_DEMO_COMPANIES: DemoCompany[] = [
  {
    id: "9001",
    name: "Bauwerk GmbH",
    domain: "bauwerk.de",
    industry: "construction",
    employees: 850,
    country: "DE",
    city: "München",
    ownerId: "80001",
  },
  {
    id: "9002",
    name: "MadridSoft S.L.",
    domain: "madridsoft.es",
    industry: "software",
    employees: 240,
    country: "ES",
    city: "Madrid",
    ownerId: "80003",
  },
  {
    id: "9003",
    name: "Alpenbank AG",
    domain: "alpenbank.ch",
    industry: "fintech",
    employees: 1200,
    country: "CH",
    city: "Zürich",
    ownerId: "80002",
  },
  {
    id: "9004",
    name: "Lumière Analytics",
    domain: "lumiere-analytics.fr",
    industry: "software",
    employees: 130,
    country: "FR",
    city: "Lyon",
    ownerId: "80005",
  },
  {
    id: "9005",
    name: "Nordlicht Logistik",
    domain: "nordlicht-logistik.de",
    industry: "logistics",
    employees: 60,
    country: "DE",
    city: "Hamburg",
    ownerId: null,
  },
  {
    id: "9006",
    name: "Catalunya Pagos",
    domain: "catpagos.es",
    industry: "fintech",
    employees: 310,
    country: "ES",
    city: "Barcelona",
    ownerId: null,
  },
  {
    id: "9007",
    name: "Thames Robotics Ltd",
    domain: "thamesrobotics.co.uk",
    industry: "manufacturing",
    employees: 95,
    country: "GB",
    city: "London",
    ownerId: "80006",
  },
];

interface DemoContact {
  first: string;
  last: string;
  /** Domain of the e-mail; a company domain links the contact to that company. */
  domain: string;
  jobtitle: string;
  seniority: string;
  company: string;
  industry: string;
  employees: number | null;
  country: string;
  state: string;
  city: string;
  zip: string;
  stage: string;
  status: string | null;
  owner: string | null;
  source: string;
  campaign: string;
  /** Form key of the last conversion, if any. */
  form: keyof typeof HUBSPOT_DEMO_FORMS | null;
}

const CONTACT_COLUMNS = [
  "first",
  "last",
  "domain",
  "jobtitle",
  "seniority",
  "company",
  "industry",
  "employees",
  "country",
  "state",
  "city",
  "zip",
  "stage",
  "status",
  "owner",
  "source",
  "campaign",
  "form",
] as const;

/**
 * Reads the contact table below: one contact per line, cells separated by `|`, `-` for "not set" (owner, lead
 * status, employees, last form), an empty cell for an empty value. A malformed line fails at start-up, by number.
 */
function parseDemoContacts(table: string): DemoContact[] {
  const [, ...lines] = table.trim().split("\n");
  return lines.map((line, i) => {
    const cells = line.split("|").map((c) => c.trim());
    const where = `demo contact table, row ${i + 1}`;
    if (cells.length !== CONTACT_COLUMNS.length) {
      throw new Error(`${where}: ${cells.length} cells, expected ${CONTACT_COLUMNS.length}`);
    }
    const row = Object.fromEntries(CONTACT_COLUMNS.map((column, c) => [column, cells[c]])) as Record<
      (typeof CONTACT_COLUMNS)[number],
      string
    >;
    const orNull = (v: string): string | null => (v === "-" ? null : v);
    if (!LIFECYCLE_STAGES.includes(row.stage))
      throw new Error(`${where}: unknown lifecycle stage "${row.stage}"`);
    if (row.status !== "-" && !LEAD_STATUSES.includes(row.status)) {
      throw new Error(`${where}: unknown lead status "${row.status}"`);
    }
    if (row.form !== "-" && !(row.form in HUBSPOT_DEMO_FORMS))
      throw new Error(`${where}: unknown form "${row.form}"`);
    if (row.employees !== "-" && !/^\d+$/.test(row.employees)) {
      throw new Error(`${where}: employees "${row.employees}" is not a count`);
    }
    return {
      ...row,
      employees: row.employees === "-" ? null : Number(row.employees),
      status: orNull(row.status),
      owner: orNull(row.owner),
      form: orNull(row.form) as DemoContact["form"],
    };
  });
}

// Thirty contacts with a spread of fit (size, industry, title, country) and engagement, so the default
// SLA qualifies some, holds some for missing fields and rejects some as out of ICP. Owners are HubSpot owner ids
// (HUBSPOT_DEMO_OWNERS); forms are keys of HUBSPOT_DEMO_FORMS.
const DEMO_CONTACTS: DemoContact[] = parseDemoContacts(`
first     | last      | e-mail domain         | job title                   | seniority | company             | industry      | employees | country | state | city      | zip      | lifecycle stage        | lead status          | owner | source          | campaign           | last form
Lukas     | Meyer     | bauwerk.de            | Head of Operations          | director  | Bauwerk GmbH        | construction  | 850       | DE      | BY    | München   | 80331    | lead                   | NEW                  | -     | ORGANIC_SEARCH  | lead-routing-guide | contactMe
Sofia     | García    | madridsoft.es         | VP Sales                    | vp        | MadridSoft S.L.     | software      | 240       | ES      | MD    | Madrid    | 28013    | lead                   | NEW                  | -     | PAID_SEARCH     | q4-iberia-search   | demoRequest
Jonas     | Keller    | alpenbank.ch          | Director Revenue Operations | director  | Alpenbank AG        | fintech       | 1200      | CH      | ZH    | Zürich    | 8001     | marketingqualifiedlead | OPEN                 | 80002 | EMAIL_MARKETING | nurture-fintech    | webinar
Camille   | Durand    | lumiere-analytics.fr  | Head of Marketing           | director  | Lumière Analytics   | software      | 130       | FR      | ARA   | Lyon      | 69002    | lead                   | -                    | -     | SOCIAL_MEDIA    | linkedin-sla       | ebook
Henrik    | Brandt    | nordlicht-logistik.de | Logistics Coordinator       | employee  | Nordlicht Logistik  | logistics     | 60        | DE      | HH    | Hamburg   | 20095    | lead                   | NEW                  | -     | DIRECT_TRAFFIC  |                    | newsletter
Marta     | Puig      | catpagos.es           | Head of Sales               | director  | Catalunya Pagos     | fintech       | 310       | ES      | CT    | Barcelona | 08001    | lead                   | NEW                  | -     | REFERRALS       | partner-referral   | contactMe
Oliver    | Grant     | thamesrobotics.co.uk  | CTO                         | executive | Thames Robotics Ltd | manufacturing | 95        | GB      | ENG   | London    | EC1A 1BB | lead                   | -                    | -     | ORGANIC_SEARCH  |                    | ebook
Julia     | Schneider | bauwerk.de            | Procurement Manager         | manager   | Bauwerk GmbH        | construction  | 850       | DE      | BY    | München   | 80333    | subscriber             | -                    | -     | EMAIL_MARKETING | newsletter-oct     | newsletter
Pablo     | Fernández | gmail.com             | Founder                     | owner     | Pablo F. Consulting | consulting    | 3         | ES      | MD    | Madrid    | 28004    | lead                   | -                    | -     | SOCIAL_MEDIA    |                    | ebook
Anja      | Wolf      | stadtwerke-nord.de    | Leiterin Vertrieb           | director  | Stadtwerke Nord     | utilities     | 2100      | DE      | NI    | Hannover  | 30159    | lead                   | NEW                  | -     | PAID_SEARCH     | q4-dach-search     | demoRequest
Thomas    | Huber     | alpenmilch.at         | VP Marketing                | vp        | Alpenmilch GmbH     | food          | 420       | AT      | 9     | Wien      | 1010     | lead                   | -                    | -     | ORGANIC_SEARCH  |                    | webinar
Lucía     | Moreno    | madridsoft.es         | Sales Development Rep       | employee  | MadridSoft S.L.     | software      | 240       | ES      | MD    | Madrid    | 28013    | lead                   | NEW                  | -     | DIRECT_TRAFFIC  |                    | contactMe
Élodie    | Martin    | paris-fintech.fr      | Directrice commerciale      | director  | Paris Fintech SAS   | fintech       | 180       | FR      | IDF   | Paris     | 75008    | marketingqualifiedlead | OPEN                 | 80005 | PAID_SOCIAL     | linkedin-sla       | demoRequest
Max       | Richter   | web.de                | Student                     | employee  |                     |               | -         | DE      | BE    | Berlin    | 10115    | subscriber             | -                    | -     | SOCIAL_MEDIA    |                    | newsletter
Greta     | Lindqvist | nordicsaas.se         | Head of Growth              | director  | Nordic SaaS AB      | software      | 75        | SE      | AB    | Stockholm | 11122    | lead                   | -                    | -     | ORGANIC_SEARCH  |                    | ebook
Andrés    | Navarro   | sevilla-logistica.es  | COO                         | executive | Sevilla Logística   | logistics     | 520       | ES      | AN    | Sevilla   | 41001    | lead                   | NEW                  | -     | REFERRALS       |                    | contactMe
Katharina | Vogt      | medtech-rhein.de      | Director Sales Operations   | director  | MedTech Rhein GmbH  | healthcare    | 680       | DE      | NW    | Köln      | 50667    | salesqualifiedlead     | IN_PROGRESS          | 80001 | EMAIL_MARKETING | nurture-health     | demoRequest
Hugo      | Lefèvre   |                       | Marketing Manager           | manager   | Bordeaux Vins       | food          | 45        | FR      | NAQ   | Bordeaux  | 33000    | lead                   | -                    | -     | DIRECT_TRAFFIC  |                    | -
Ingrid    | Holm      | alpenbank.ch          | Head of Digital Sales       | director  | Alpenbank AG        | fintech       | 1200      | CH      | ZH    | Zürich    | 8002     | lead                   | -                    | -     | ORGANIC_SEARCH  |                    | webinar
Raúl      | Ortega    | catpagos.es           | Head of Partnerships        | director  | Catalunya Pagos     | fintech       | 310       | ES      | CT    | Barcelona | 08002    | lead                   | -                    | -     | PAID_SEARCH     | q4-iberia-search   | ebook
Sarah     | Collins   | thamesrobotics.co.uk  | VP Sales EMEA               | vp        | Thames Robotics Ltd | manufacturing | 95        | GB      | ENG   | London    | EC2A 2AB | lead                   | NEW                  | -     | PAID_SOCIAL     |                    | contactMe
Felipe    | Ramos     | hotmail.com           | Job seeker                  | employee  |                     |               | -         | ES      | VC    | Valencia  | 46001    | subscriber             | -                    | -     | SOCIAL_MEDIA    |                    | newsletter
Nina      | Albrecht  | kraftwerk-it.de       | Head of IT Procurement      | director  | Kraftwerk IT GmbH   | software      | 320       | DE      | BW    | Stuttgart | 70173    | lead                   | -                    | -     | ORGANIC_SEARCH  |                    | webinar
Mathieu   | Roux      | lumiere-analytics.fr  | CEO                         | executive | Lumière Analytics   | software      | 130       | FR      | ARA   | Lyon      | 69003    | lead                   | ATTEMPTED_TO_CONTACT | 80005 | REFERRALS       |                    | demoRequest
Paula     | Jiménez   | madridsoft.es         | Marketing Operations Lead   | manager   | MadridSoft S.L.     | software      | 240       | ES      | MD    | Madrid    | 28046    | lead                   | -                    | -     | EMAIL_MARKETING | newsletter-oct     | ebook
Stefan    | Braun     | bauwerk.de            | Geschäftsführer             | executive | Bauwerk GmbH        | construction  | 850       | DE      | BY    | München   | 80331    | lead                   | -                    | -     | DIRECT_TRAFFIC  |                    | contactMe
Chloé     | Bernard   | paris-fintech.fr      | Product Marketing Manager   | manager   | Paris Fintech SAS   | fintech       | 180       | FR      | IDF   | Paris     | 75009    | lead                   | -                    | -     | ORGANIC_SEARCH  |                    | webinar
Matteo    | Rossi     | milano-design.it      | Head of Sales               | director  | Milano Design Srl   | retail        | 140       | IT      | MI    | Milano    | 20121    | lead                   | -                    | -     | PAID_SEARCH     |                    | ebook
Clara     | Weiß      | stadtwerke-nord.de    | Energy Analyst              | employee  | Stadtwerke Nord     | utilities     | 2100      | DE      | NI    | Hannover  | 30161    | lead                   | -                    | -     | ORGANIC_SEARCH  |                    | -
Javier    | Castro    | sevilla-logistica.es  | Director Comercial          | director  | Sevilla Logística   | logistics     | 520       | ES      | AN    | Sevilla   | 41004    | lead                   | -                    | -     | EMAIL_MARKETING |                    | demoRequest
`);

const PAGES: { url: string; title: string }[] = [
  { url: "https://www.handoff-demo.example/pricing", title: "Pricing — Handoff" },
  { url: "https://www.handoff-demo.example/product/routing", title: "Lead routing — Handoff" },
  { url: "https://www.handoff-demo.example/product/sla", title: "The signed SLA — Handoff" },
  {
    url: "https://www.handoff-demo.example/case-studies/bauwerk",
    title: "How Bauwerk cut speed-to-lead to 4 minutes",
  },
  { url: "https://www.handoff-demo.example/blog/mql-definition", title: "What is an MQL, really?" },
  { url: "https://www.handoff-demo.example/integrations/hubspot", title: "Handoff for HubSpot" },
  { url: "https://www.handoff-demo.example/demo", title: "Book a demo" },
  { url: "https://www.handoff-demo.example/careers", title: "Careers at Handoff" },
];

/** Lowercase ASCII for e-mail local parts ("García" → "garcia"). */
export function asciiFold(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ß/g, "ss")
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, "");
}

function emailOf(c: DemoContact, i: number): string {
  const domain = c.domain || "mail-demo.example";
  return `${asciiFold(c.first)}.${asciiFold(c.last)}${c.domain ? "" : i}@${domain}`;
}

/** Seeds owners, properties, companies, 30 contacts with page views and form conversions. */
export function seedHubSpotDemoPortal(state: HubSpotSandboxState): void {
  state.owners = demoOwners();
  const assignable = state.owners.filter((o) => !o.archived).map((o) => o.id);
  const define = (objectType: string, props: HubSpotProperty[]): void => {
    const map = state.properties.get(objectType)!;
    for (const p of props) map.set(p.name, p);
    const groups = state.groups.get(objectType)!;
    for (const p of props) {
      if (!groups.has(p.groupName)) {
        groups.set(p.groupName, {
          name: p.groupName,
          label: p.groupName,
          displayOrder: groups.size,
          archived: false,
        });
      }
    }
  };
  define("contacts", contactProperties(assignable));
  define("companies", companyProperties());
  define("tasks", taskProperties(assignable));
  define("leads", leadProperties(assignable));
  for (const kind of ["calls", "emails", "meetings", "notes"])
    define(kind, engagementProperties(kind.slice(0, -1)));

  for (const form of Object.values(HUBSPOT_DEMO_FORMS)) {
    state.forms.set(form.id, { id: form.id, name: form.name, submissions: [] });
  }

  const companies = state.objects.get("companies")!;
  for (const co of HUBSPOT_DEMO_COMPANIES) {
    companies.set(co.id, {
      id: co.id,
      properties: {
        name: co.name,
        domain: co.domain,
        industry: co.industry,
        numberofemployees: String(co.employees),
        country: co.country,
        city: co.city,
        hubspot_owner_id: co.ownerId,
        createdate: SEED_TIME,
        hs_object_id: co.id,
      },
      createdAt: SEED_TIME,
      updatedAt: SEED_TIME,
      archived: false,
    });
  }

  const now = state.now();
  const day = 86_400_000;
  DEMO_CONTACTS.forEach((c, i) => {
    const id = String(HUBSPOT_DEMO_FIRST_CONTACT_ID + i);
    const created = new Date(now - (40 - i) * day).toISOString();
    const properties: Record<string, string | null> = {
      email: emailOf(c, i),
      firstname: c.first,
      lastname: c.last,
      company: c.company || null,
      jobtitle: c.jobtitle,
      hs_seniority: c.seniority,
      industry: c.industry || null,
      numemployees: c.employees === null ? null : String(c.employees),
      country: c.country,
      state: c.state,
      city: c.city,
      zip: c.zip,
      lifecyclestage: c.stage,
      hs_lead_status: c.status,
      hubspot_owner_id: c.owner,
      hs_analytics_source: c.source,
      hs_analytics_source_data_1:
        c.source === "PAID_SEARCH" ? "google" : c.source === "PAID_SOCIAL" ? "linkedin" : null,
      hs_analytics_source_data_2: c.campaign || null,
      createdate: created,
      lastmodifieddate: created,
      hs_object_id: id,
    };
    // Page views over the last three weeks: fitting, engaged contacts look at pricing and the demo page.
    const views = 2 + ((i * 5) % 7);
    let last = 0;
    for (let v = 0; v < views; v++) {
      const page = PAGES[(i + v * 3) % PAGES.length]!;
      const at = now - ((i % 5) + v * 2.5 + 0.3) * day;
      last = Math.max(last, at);
      state.webEvents.push({
        id: `pv-${id}-${v}`,
        eventType: "e_visited_page",
        objectType: "contact",
        objectId: id,
        occurredAt: new Date(at).toISOString(),
        properties: {
          hs_url: page.url,
          hs_title: page.title,
          hs_page_id: String(100 + ((i + v * 3) % PAGES.length)),
        },
      });
    }
    properties.hs_analytics_num_page_views = String(views);
    properties.hs_analytics_num_visits = String(Math.ceil(views / 2));
    properties.hs_analytics_last_visit_timestamp = new Date(last).toISOString();
    properties.hs_analytics_first_url = PAGES[i % PAGES.length]!.url;
    // "Last Page Seen" changed with every view: its history is the page list below Enterprise.
    const lastUrlHistory = state.webEvents
      .filter((e) => e.objectId === id)
      .map((e) => ({ value: e.properties.hs_url ?? "", timestamp: e.occurredAt, sourceType: "ANALYTICS" }))
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp));
    properties.hs_analytics_last_url = lastUrlHistory[0]?.value ?? null;
    if (c.form) {
      const form = HUBSPOT_DEMO_FORMS[c.form];
      const at = now - ((i % 4) + 0.1) * day;
      recordFormSubmission(state, id, properties, form.id, at, "https://www.handoff-demo.example/demo");
    }
    state.objects.get("contacts")!.set(id, {
      id,
      properties,
      createdAt: created,
      updatedAt: created,
      archived: false,
      history: { hs_analytics_last_url: lastUrlHistory },
    } satisfies HubSpotRecord);
    const company = HUBSPOT_DEMO_COMPANIES.find((co) => co.domain === c.domain);
    if (company) {
      associate(state, { type: "contacts", id }, { type: "companies", id: company.id }, 279);
      associate(state, { type: "companies", id: company.id }, { type: "contacts", id }, 280);
    }
  });
  // A second record for Sofia García (added by a list import under another address): a duplicate by e-mail.
  const sofia = state.objects.get("contacts")!.get(String(HUBSPOT_DEMO_FIRST_CONTACT_ID + 1))!;
  const dupId = String(HUBSPOT_DEMO_FIRST_CONTACT_ID + DEMO_CONTACTS.length);
  state.objects.get("contacts")!.set(dupId, {
    id: dupId,
    properties: {
      ...sofia.properties,
      email: "sofia.garcia.madridsoft@gmail.com",
      hs_additional_emails: sofia.properties.email ?? null,
      lifecyclestage: "subscriber",
      hs_lead_status: null,
      hubspot_owner_id: "80004",
      hs_object_id: dupId,
    },
    createdAt: sofia.createdAt,
    updatedAt: sofia.updatedAt,
    archived: false,
  });
}

/**
 * Records a form submission the way HubSpot does: the submission in the form's list, and the contact's
 * conversion properties (whose change is what a `contact.propertyChange` webhook for
 * `recent_conversion_date` reports, reference §1.2).
 */
export function recordFormSubmission(
  state: HubSpotSandboxState,
  contactId: string,
  properties: Record<string, string | null>,
  formId: string,
  at: number,
  pageUrl: string,
): void {
  const form = state.forms.get(formId);
  if (!form) return;
  const iso = new Date(at).toISOString();
  form.submissions.unshift({
    conversionId: `cv-${contactId}-${at}`,
    submittedAt: at,
    pageUrl,
    contactId,
    values: [
      { name: "email", value: properties.email ?? "" },
      { name: "firstname", value: properties.firstname ?? "" },
      { name: "lastname", value: properties.lastname ?? "" },
      { name: "company", value: properties.company ?? "" },
      { name: "jobtitle", value: properties.jobtitle ?? "" },
    ],
  });
  properties.recent_conversion_event_name = form.name;
  properties.recent_conversion_date = iso;
  properties.first_conversion_event_name ??= form.name;
  properties.first_conversion_date ??= iso;
  properties.num_conversion_events = String(Number(properties.num_conversion_events ?? "0") + 1);
}

import { salesforceId } from "./ids";
import type { SalesforceSandboxState, SObjectRecord } from "./state";

/**
 * The fixed demo org (DESIGN §7): docs, tests and tools rely on these ids. Users 80001–80007 (Felix is
 * inactive; Maria manages Anna and Carla), the "Inbound triage" queue, two accounts with website domains and
 * 31 leads spread over DACH, Iberia, France and the UK (lead 31 duplicates lead 1's e-mail).
 */
export const SALESFORCE_DEMO_USERS = {
  anna: "0055g0000080001AAA",
  ben: "0055g0000080002AAA",
  carla: "0055g0000080003AAA",
  diego: "0055g0000080004AAA",
  emma: "0055g0000080005AAA",
  felix: "0055g0000080006AAA",
  maria: "0055g0000080007AAA",
} as const;

export const SALESFORCE_DEMO_QUEUE_ID = "00G5g0000080010AAA";
export const SALESFORCE_DEMO_ACCOUNTS = {
  bauwerk: salesforceId("001", 80101),
  madridsoft: salesforceId("001", 80102),
} as const;

/** The id of the n-th seeded lead (1-based). */
export const SALESFORCE_DEMO_CONTACTS = {
  karlBauwerk: salesforceId("003", 80201),
  luciaMadridsoft: salesforceId("003", 80202),
} as const;

export function salesforceDemoLeadId(n: number): string {
  return salesforceId("00Q", n);
}

type UserSeed = [
  key: keyof typeof SALESFORCE_DEMO_USERS,
  first: string,
  last: string,
  dept: string,
  active: boolean,
];
const USERS: UserSeed[] = [
  ["anna", "Anna", "Berg", "DACH", true],
  ["ben", "Ben", "Vogel", "DACH", true],
  ["carla", "Carla", "Ruiz", "Iberia", true],
  ["diego", "Diego", "Sanz", "Iberia", true],
  ["emma", "Emma", "Stone", "UK & France", true],
  ["felix", "Felix", "Hart", "DACH", false],
  ["maria", "Maria", "Lopez", "Sales Management", true],
];

type LeadSeed = [
  first: string,
  last: string,
  company: string,
  domain: string,
  title: string,
  industry: string,
  employees: number,
  revenue: number,
  country: string,
  countryCode: string,
  state: string | null,
  postal: string,
  city: string,
  source: string,
  status: string,
  owner: string,
];

const Q = SALESFORCE_DEMO_QUEUE_ID;
const U = SALESFORCE_DEMO_USERS;
// prettier-ignore
const LEADS: LeadSeed[] = [
  ["Jana", "Schmidt", "Bauwerk GmbH", "bauwerk.de", "VP Operations", "Construction", 850, 120_000_000, "Germany", "DE", "BY", "80331", "München", "Web", "Open - Not Contacted", Q],
  ["Lukas", "Weber", "Kraftwerk Systems AG", "kraftwerk-systems.de", "Head of IT", "Technology", 1200, 300_000_000, "Germany", "DE", "BE", "10115", "Berlin", "Webinar", "Open - Not Contacted", Q],
  ["Sophie", "Huber", "Alpenblick Software", "alpenblick.at", "Director Sales", "Software", 140, 18_000_000, "Austria", "AT", null, "1010", "Wien", "Web", "Working - Contacted", U.anna],
  ["Noah", "Keller", "Zürisee Treuhand", "zuerisee-treuhand.ch", "CFO", "Finance", 60, 9_000_000, "Switzerland", "CH", "ZH", "8001", "Zürich", "Partner Referral", "Open - Not Contacted", Q],
  ["Mia", "Fischer", "Nordlicht Logistik", "nordlicht-logistik.de", "Logistics Manager", "Manufacturing", 420, 75_000_000, "Germany", "DE", "HH", "20095", "Hamburg", "Purchased List", "Open - Not Contacted", Q],
  ["Felix", "Wagner", "Bauwerk GmbH", "bauwerk.de", "Procurement Lead", "Construction", 850, 120_000_000, "Germany", "DE", "BY", "80333", "München", "Web", "Open - Not Contacted", Q],
  ["Lucía", "García", "MadridSoft", "madridsoft.es", "VP Engineering", "Software", 310, 40_000_000, "Spain", "ES", "MD", "28013", "Madrid", "Web", "Open - Not Contacted", Q],
  ["Pablo", "Martín", "Barna Fintech", "barnafintech.es", "Head of Product", "Finance", 95, 12_000_000, "Spain", "ES", "CT", "08001", "Barcelona", "Webinar", "Open - Not Contacted", Q],
  ["Elena", "Navarro", "Sevilla Solar", "sevillasolar.es", "Operations Director", "Manufacturing", 220, 30_000_000, "Spain", "ES", "AN", "41001", "Sevilla", "Phone Inquiry", "Working - Contacted", U.diego],
  ["Javier", "López", "MadridSoft", "madridsoft.es", "CTO", "Software", 310, 40_000_000, "Spain", "ES", "MD", "28046", "Madrid", "Web", "Marketing Qualified", U.carla],
  ["Inês", "Costa", "Lisboa Labs", "lisboalabs.pt", "Founder", "Technology", 35, 3_000_000, "Portugal", "PT", null, "1100-148", "Lisboa", "Web", "Open - Not Contacted", Q],
  ["Camille", "Dubois", "Paris Analytique", "paris-analytique.fr", "Directeur Commercial", "Software", 180, 25_000_000, "France", "FR", null, "75002", "Paris", "Web", "Open - Not Contacted", Q],
  ["Hugo", "Laurent", "Lyon Industrie", "lyon-industrie.fr", "Plant Manager", "Manufacturing", 640, 90_000_000, "France", "FR", null, "69002", "Lyon", "Purchased List", "Nurture", Q],
  ["Oliver", "Smith", "Thames Data Ltd", "thamesdata.co.uk", "Head of Data", "Technology", 260, 35_000_000, "United Kingdom", "GB", null, "EC1A 1BB", "London", "Web", "Open - Not Contacted", Q],
  ["Amelia", "Jones", "Mersey Health", "merseyhealth.co.uk", "IT Director", "Healthcare", 1500, 200_000_000, "United Kingdom", "GB", null, "L1 8JQ", "Liverpool", "Webinar", "Sales Accepted", U.emma],
  ["Jack", "Taylor", "Clyde Retail", "clyderetail.co.uk", "Store Operations", "Retail", 45, 6_000_000, "United Kingdom", "GB", null, "G1 1XQ", "Glasgow", "Other", "Closed - Not Converted", Q],
  ["Max", "Becker", "Rheinland Bildung", "rheinland-bildung.de", "Student", "Education", 12, 500_000, "Germany", "DE", "NW", "50667", "Köln", "Web", "Open - Not Contacted", Q],
  ["Lena", "Hoffmann", "Isar Robotics", "isar-robotics.de", "VP Product", "Technology", 380, 60_000_000, "Germany", "DE", "BY", "80469", "München", "Web", "Working - Contacted", U.ben],
  ["Tim", "Schulz", "Elbe Finanz", "elbe-finanz.de", "Head of Finance", "Finance", 150, 22_000_000, "Germany", "DE", "SN", "01067", "Dresden", "Partner Referral", "Open - Not Contacted", Q],
  ["Clara", "Richter", "Main Versicherung", "main-versicherung.de", "Director Digital", "Finance", 2400, 500_000_000, "Germany", "DE", "HE", "60311", "Frankfurt", "Web", "Marketing Qualified", U.anna],
  ["Sergio", "Ruiz", "Valencia Cloud", "valenciacloud.es", "Head of Sales", "Software", 120, 14_000_000, "Spain", "ES", "VC", "46001", "Valencia", "Web", "Open - Not Contacted", Q],
  ["Marta", "Gómez", "Bilbao Metal", "bilbaometal.es", "Purchasing Manager", "Manufacturing", 510, 70_000_000, "Spain", "ES", "PV", "48001", "Bilbao", "Phone Inquiry", "Open - Not Contacted", Q],
  ["Álvaro", "Díaz", "Madrid Retail Group", "madridretail.es", "COO", "Retail", 900, 110_000_000, "Spain", "ES", "MD", "28001", "Madrid", "Web", "Open - Not Contacted", Q],
  ["Chloé", "Martin", "Bordeaux Vins Tech", "bordeauxvins.fr", "CEO", "Technology", 25, 2_000_000, "France", "FR", null, "33000", "Bordeaux", "Web", "Open - Not Contacted", Q],
  ["George", "Brown", "Avon Fintech", "avonfintech.co.uk", "VP Finance", "Finance", 330, 45_000_000, "United Kingdom", "GB", null, "BS1 4DJ", "Bristol", "Webinar", "Open - Not Contacted", Q],
  ["Paul", "Neumann", "Spree Media", "spree-media.de", "Marketing Manager", "Technology", 70, 8_000_000, "Germany", "DE", "BE", "10178", "Berlin", "Web", "Open - Not Contacted", U.felix],
  ["Laura", "Sánchez", "MadridSoft", "madridsoft.es", "Product Manager", "Software", 310, 40_000_000, "Spain", "ES", "MD", "28020", "Madrid", "Web", "Open - Not Contacted", Q],
  ["Emil", "Braun", "Bauwerk GmbH", "bauwerk.de", "Head of Digital", "Construction", 850, 120_000_000, "Germany", "DE", "BY", "80335", "München", "Webinar", "Working - Contacted", U.anna],
  ["Nina", "Koch", "Donau Pharma", "donaupharma.at", "Director R&D", "Healthcare", 760, 150_000_000, "Austria", "AT", null, "4020", "Linz", "Web", "Open - Not Contacted", Q],
  ["Marco", "Rossi", "Milano Design", "milanodesign.it", "Creative Director", "Retail", 55, 7_000_000, "Italy", "IT", null, "20121", "Milano", "Other", "Open - Not Contacted", Q],
  // Lead 31 is Jana Schmidt again (same e-mail as lead 1): a second web-to-lead submission, a duplicate.
  ["Jana", "Schmidt", "Bauwerk GmbH", "bauwerk.de", "VP Operations", "Construction", 850, 120_000_000, "Germany", "DE", "BY", "80331", "München", "Webinar", "Open - Not Contacted", Q],
];

const ascii = (s: string): string =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

export function seedSalesforceDemoOrg(state: SalesforceSandboxState): void {
  const now = state.now();
  const iso = (ms: number): string => new Date(ms).toISOString().replace("Z", "+0000");
  const audit = (createdAgoMs: number): Record<string, unknown> => ({
    CreatedDate: iso(now - createdAgoMs),
    LastModifiedDate: iso(now - createdAgoMs),
    SystemModstamp: iso(now - createdAgoMs),
    CreatedById: SALESFORCE_DEMO_USERS.maria,
    LastModifiedById: SALESFORCE_DEMO_USERS.maria,
  });
  const put = (type: string, record: SObjectRecord): void => {
    state.records.get(type)?.set(record.Id, record);
  };
  const DAY = 24 * 60 * 60 * 1000;

  for (const [key, first, last, dept, active] of USERS) {
    const email = `${ascii(first)}.${ascii(last)}@handoff-demo.example`;
    put("User", {
      Id: SALESFORCE_DEMO_USERS[key],
      Username: email,
      FirstName: first,
      LastName: last,
      Name: `${first} ${last}`,
      Email: email,
      IsActive: active,
      UserType: "Standard",
      ManagerId: key === "anna" || key === "carla" ? SALESFORCE_DEMO_USERS.maria : null,
      Department: dept,
      Title: key === "maria" ? "Head of Sales" : "Account Executive",
      TimeZoneSidKey:
        dept === "Iberia" ? "Europe/Madrid" : dept === "UK & France" ? "Europe/London" : "Europe/Berlin",
      ...audit(400 * DAY),
    });
  }
  put("Group", {
    Id: SALESFORCE_DEMO_QUEUE_ID,
    Name: "Inbound triage",
    DeveloperName: "Inbound_triage",
    Type: "Queue",
    Email: null,
    ...audit(400 * DAY),
  });
  // The queue takes Leads only, as most queues do: a Task given to it is refused.
  put("QueueSobject", {
    Id: "03g5g0000080010AAA",
    QueueId: SALESFORCE_DEMO_QUEUE_ID,
    SobjectType: "Lead",
    ...audit(400 * DAY),
  });
  put("Account", {
    Id: SALESFORCE_DEMO_ACCOUNTS.bauwerk,
    Name: "Bauwerk GmbH",
    Website: "https://www.bauwerk.de",
    OwnerId: SALESFORCE_DEMO_USERS.anna,
    NumberOfEmployees: 850,
    Industry: "Construction",
    BillingCountry: "Germany",
    ...audit(200 * DAY),
  });
  put("Account", {
    Id: SALESFORCE_DEMO_ACCOUNTS.madridsoft,
    Name: "MadridSoft",
    Website: "madridsoft.es",
    OwnerId: SALESFORCE_DEMO_USERS.carla,
    NumberOfEmployees: 310,
    Industry: "Software",
    BillingCountry: "Spain",
    ...audit(150 * DAY),
  });

  // Existing customers' contacts: a new lead with one of these e-mails belongs with the contact's owner.
  const contacts: [number, string, string, string, keyof typeof SALESFORCE_DEMO_ACCOUNTS, string][] = [
    [80201, "Karl", "Berger", "karl.berger@bauwerk.de", "bauwerk", SALESFORCE_DEMO_USERS.anna],
    [80202, "Lucía", "García", "lucia.garcia@madridsoft.es", "madridsoft", SALESFORCE_DEMO_USERS.carla],
  ];
  for (const [serial, first, last, email, account, owner] of contacts) {
    put("Contact", {
      Id: salesforceId("003", serial),
      FirstName: first,
      LastName: last,
      Email: email,
      AccountId: SALESFORCE_DEMO_ACCOUNTS[account],
      OwnerId: owner,
      Title: "Customer contact",
      ...audit(120 * DAY),
    });
  }

  LEADS.forEach((seed, index) => {
    const [first, last, company, domain, title, industry, employees, revenue, country, code] = seed;
    const [, , , , , , , , , , stateCode, postal, city, source, status, owner] = seed;
    put("Lead", {
      Id: salesforceDemoLeadId(index + 1),
      FirstName: first,
      LastName: last,
      Name: `${first} ${last}`,
      Email: `${ascii(first)}.${ascii(last)}@${domain}`,
      Phone: null,
      Company: company,
      Title: title,
      Industry: industry,
      NumberOfEmployees: employees,
      AnnualRevenue: revenue,
      Website: domain,
      Street: null,
      City: city,
      State: stateCode,
      StateCode: stateCode,
      PostalCode: postal,
      Country: country,
      CountryCode: code,
      LeadSource: source,
      Status: status,
      Rating: null,
      OwnerId: owner,
      IsConverted: false,
      ConvertedDate: null,
      Description: null,
      Handoff_Fit_Score__c: null,
      Handoff_Engagement_Score__c: null,
      Handoff_Score__c: null,
      Handoff_Score_Summary__c: null,
      Handoff_Decision_Id__c: null,
      Handoff_SLA_Version__c: null,
      Handoff_Follow_Up_Due__c: null,
      ...audit((index + 1) * 0.7 * DAY),
    });
  });
}

import { pollChangedLeads, type PollChangedLeadsDeps } from "../../../src/app/poll-changed-leads";
import { fixedClock } from "../../../src/ports/clock";
import type { ChangedLead, CrmPort } from "../../../src/ports/crm";
import type { IncomingEvent } from "../../../src/domain/screen-event";
import type { LeadPollWatermarks } from "../../../src/ports/lead-poll";
import { silent as silentLogger } from "../../helpers/silent-logger";

const NOW = new Date("2026-11-18T09:00:00.000Z");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
const change = (id: string, minutesAgo: number): ChangedLead => ({
  id,
  modifiedAt: at(minutesAgo),
  fields: { Id: id },
});

function setUp(options: { polling: boolean; pages: ChangedLead[][] }) {
  const calls: string[] = [];
  const crm = {
    crm: "salesforce",
    needsChangePolling: async () => options.polling,
    async *changedLeadPages(since: string) {
      calls.push(since);
      for (const page of options.pages) yield page.filter((c) => c.modifiedAt > since);
    },
  } as unknown as CrmPort;
  const marks = new Map<string, string>();
  const watermarks: LeadPollWatermarks = {
    get: async (id) => marks.get(id) ?? null,
    advance: async (id, modifiedAt) => {
      const current = marks.get(id);
      if (!current || modifiedAt > current) marks.set(id, modifiedAt);
    },
  };
  const seen = new Set<string>();
  const stored: IncomingEvent[] = [];
  const deps: PollChangedLeadsDeps = {
    crmFor: async () => crm,
    watermarks,
    events: {
      append: async (events) => {
        const fresh = events.filter((e) => !seen.has(e.eventKey));
        for (const e of fresh) seen.add(e.eventKey);
        stored.push(...fresh);
        return { stored: fresh.map((e) => e.eventKey), parked: [], duplicates: events.length - fresh.length };
      },
    },
    logger: silentLogger,
    now: fixedClock(NOW),
  };
  return { deps, calls, marks, stored };
}

test("when the CRM account pushes its changes, then nothing is read and no watermark is kept", async () => {
  const { deps, calls, marks } = setUp({ polling: false, pages: [[change("00Q1", 1)]] });
  expect(await pollChangedLeads(deps, "c1")).toMatchObject({ polled: false, pages: 0 });
  expect(calls).toEqual([]);
  expect(marks.size).toBe(0);
});

test("when changes are read, then each becomes a lead event keyed by record and change time, and the watermark is the newest", async () => {
  const { deps, stored, marks } = setUp({
    polling: true,
    pages: [[change("00Q1", 30), change("00Q2", 20)], [change("00Q1", 5)]],
  });
  const result = await pollChangedLeads(deps, "c1");
  expect(result).toMatchObject({ polled: true, since: at(60), changes: 3, stored: 3, pages: 2 });
  expect(stored.map((e) => [e.eventKey, e.kind, e.objectType, e.objectId])).toEqual([
    [`poll:00Q1:${at(30)}`, "property_changed", "lead", "00Q1"],
    [`poll:00Q2:${at(20)}`, "property_changed", "lead", "00Q2"],
    [`poll:00Q1:${at(5)}`, "property_changed", "lead", "00Q1"],
  ]);
  expect(marks.get("c1")).toBe(at(5));
});

test("when the next poll reads the overlap again, then those changes are duplicates, not new events", async () => {
  const { deps, calls } = setUp({ polling: true, pages: [[change("00Q1", 1)]] });
  await pollChangedLeads(deps, "c1");
  const again = await pollChangedLeads(deps, "c1");
  expect(calls[1]).toBe(at(3)); // the watermark (1 minute ago) less the 2-minute overlap
  expect(again).toMatchObject({ changes: 1, stored: 0, duplicates: 1 });
});

test("when a poll reaches its page limit, then it stops and the watermark holds the last page read", async () => {
  const { deps, marks } = setUp({
    polling: true,
    pages: [[change("00Q1", 50)], [change("00Q2", 40)], [change("00Q3", 30)]],
  });
  const result = await pollChangedLeads({ ...deps, maxPages: 2 }, "c1");
  expect(result).toMatchObject({ pages: 2, stored: 2 });
  expect(marks.get("c1")).toBe(at(40));
});

test("when a first poll finds nothing, then the next one starts where it looked", async () => {
  const { deps, marks, calls } = setUp({ polling: true, pages: [] });
  await pollChangedLeads(deps, "c1");
  expect(marks.get("c1")).toBe(at(60));
  await pollChangedLeads(deps, "c1");
  expect(calls[1]).toBe(at(62));
});

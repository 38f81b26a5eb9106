import { formatSoakReport, runSoak } from "../soak/soak";

describe("soak, one-minute mode (`npm run soak -- --minutes 30` for the real run)", () => {
  it("when the app runs 10× the demo traffic through a kill -9 of its PostgreSQL and of itself, then nothing acknowledged is lost, no CRM write is duplicated, and SIGTERM stops it cleanly", async () => {
    const report = await runSoak({ minutes: 1 });
    process.stdout.write(`\n${formatSoakReport(report)}\n`);
    const settled =
      (report.stored.processed ?? 0) + (report.stored.ignored ?? 0) + (report.stored.parked ?? 0);
    expect(report.acknowledged.hubspotEvents).toBeGreaterThan(50);
    expect(settled).toBeGreaterThanOrEqual(report.acknowledged.hubspotEvents);
    expect((report.stored.pending ?? 0) + (report.stored.processing ?? 0)).toBe(0);
    expect(report.parkedReasons).toEqual({});
    expect(report.duplicateCrmWrites).toBe(0);
    expect(report.crmTasks).toBeGreaterThan(0);
    expect(report.cleanShutdown).toBe(true);
    expect(report.unreadableErrors).toBe(0);
  }, 360_000);
});

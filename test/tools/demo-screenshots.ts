/**
 * The README's pictures, from the embedded default after its first start (the seeded quarter):
 *   PORT=3990 SANDBOX_PORT=3991 EMBEDDED_PG_PORT=54390 HANDOFF_DATA_DIR=/tmp/demo TRAFFIC=false npm start
 *   npx tsx test/tools/demo-screenshots.ts http://127.0.0.1:3990 /tmp/demo 54390 docs
 * It signs and publishes config/sla.default.yaml for the demo portal (as a first week with Handoff would).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Pool } from "pg";
import { launchChromium } from "../helpers/chromium";

const [appUrl, dataDir, pgPort, out] = process.argv.slice(2) as [string, string, string, string];

async function main() {
  const token = (JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")) as { adminToken: string })
    .adminToken;
  const pool = new Pool({
    connectionString: `postgres://handoff:handoff-embedded@127.0.0.1:${pgPort}/handoff`,
  });
  // A lead whose story has a few events, a handoff that was touched and accepted.
  const r = await pool.query<{ lead_id: string }>(
    `SELECT h.lead_id FROM handoffs h
      WHERE h.connection_id = 'hubspot-9876543' AND h.first_touch_at IS NOT NULL AND h.status <> 'open'
      ORDER BY (SELECT max(total) - min(total) FROM lead_scores s
                 WHERE s.connection_id = h.connection_id AND s.lead_id = h.lead_id) DESC NULLS LAST,
               (SELECT max(at) - min(at) FROM lead_scores s
                 WHERE s.connection_id = h.connection_id AND s.lead_id = h.lead_id) DESC NULLS LAST
      LIMIT 1`,
  );
  await pool.end();
  const lead = r.rows[0]?.lead_id;
  process.stdout.write(`lead story of ${lead}\n`);
  const browser = await launchChromium({ width: 1366, height: 768 });
  const page = await browser.context.newPage();
  await page.goto(`${appUrl}/admin`);
  await page.fill("#token", token);
  await page.click("button[type=submit]");
  await page.waitForSelector("body[data-loaded=true]");
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(out, "reports.png"), fullPage: false });
  await page.goto(`${appUrl}/admin#lead/${lead}`);
  await page.waitForSelector("svg[data-chart=score]");
  await page.waitForTimeout(1000);
  await page.locator("svg[data-chart=score] circle.score-dot.s-total").last().hover();
  await page.screenshot({ path: join(out, "lead-story.png"), fullPage: false });
  // Both teams sign the SLA in force and it is published, as a first week with Handoff would have it.
  const source = readFileSync("config/sla.default.yaml", "utf8");
  const call = (path: string, body: unknown) =>
    fetch(`${appUrl}/admin/api${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then(async (res) => (await res.json()) as { hash?: string });
  const connectionId = "hubspot-9876543";
  await call("/sla/sign", {
    connectionId,
    source,
    team: "marketing",
    name: "Marta Vidal",
    email: "marta@handoff-demo.example",
  });
  const signed = await call("/sla/sign", {
    connectionId,
    source,
    team: "sales",
    name: "Maria Lopez",
    email: "maria.lopez@handoff-demo.example",
  });
  if (!signed.hash) throw new Error("the sales sign-off was refused");
  const check = await call("/sla/check", { source });
  await call("/sla/publish", { connectionId, hash: check.hash, source });
  await page.mouse.move(1, 1);
  await page.goto(`${appUrl}/admin#sla`);
  await page.waitForSelector("[data-testid=sla-history], #sla-history .empty");
  await page.waitForTimeout(2000);
  await page.screenshot({ path: join(out, "sla-page.png"), fullPage: false });
  await browser.close();
}
main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

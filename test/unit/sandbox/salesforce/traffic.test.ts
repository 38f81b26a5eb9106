import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import express from "express";
import { parseOutboundMessage } from "../../../../src/adapters/salesforce/salesforce-outbound-message";
import { createSalesforceSandboxState } from "../../../../src/sandbox/salesforce/state";
import {
  buildOutboundMessage,
  createSalesforceTrafficGenerator,
  deliverOutboundMessage,
  isOutboundAck,
} from "../../../../src/sandbox/salesforce/traffic";

interface Vector {
  name: string;
  body: string;
  expected_parse: {
    OrganizationId: string;
    ActionId: string;
    EnterpriseUrl: string;
    notifications: { Id: string; fields: Record<string, string> }[];
  };
}
const vectors = JSON.parse(
  readFileSync(join(__dirname, "../../../fixtures/salesforce/vectors.json"), "utf8"),
) as {
  outbound_message: { requests: Vector[]; ack_response: { body: string } };
};
const ACK = vectors.outbound_message.ack_response.body;

test.each(vectors.outbound_message.requests.map((v) => [v.name, v] as const))(
  "the message for %s is byte-identical to the reference vector",
  (_name, vector) => {
    const p = vector.expected_parse;
    const fields = [...new Set(p.notifications.flatMap((n) => Object.keys(n.fields)))];
    const body = buildOutboundMessage({
      orgId: p.OrganizationId,
      actionId: p.ActionId,
      instanceUrl: p.EnterpriseUrl.replace(/\/services\/Soap\/.*$/, ""),
      apiVersion: "66.0",
      fields,
      notifications: p.notifications.map((n) => ({
        id: n.Id,
        record: { ...n.fields, Id: n.fields.Id ?? "" },
      })),
    });
    expect(body).toBe(vector.body);
  },
);

test("only a 2xx notificationsResponse with Ack true counts as acknowledged", () => {
  expect(isOutboundAck(200, ACK)).toBe(true);
  expect(isOutboundAck(500, ACK)).toBe(false);
  expect(isOutboundAck(200, ACK.replace("true", "false"))).toBe(false);
  expect(isOutboundAck(200, "OK")).toBe(false);
});

async function receiver(answers: { status: number; body: string }[]) {
  const received: string[] = [];
  const app = express();
  app.post("/webhooks/salesforce/:connectionId/:token", express.text({ type: "text/xml" }), (req, res) => {
    received.push(req.body as string);
    const answer = answers[Math.min(received.length - 1, answers.length - 1)] ?? { status: 200, body: ACK };
    res.status(answer.status).type("text/xml").send(answer.body);
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/salesforce/conn-1/secret`;
  return { received, url, close: () => new Promise((resolve) => server.close(resolve)) };
}

test("a message answered 500, then 200 without Ack, then Ack is delivered on the third attempt with backoff", async () => {
  const app = await receiver([
    { status: 500, body: "<fault/>" },
    { status: 200, body: "OK" },
    { status: 200, body: ACK },
  ]);
  const delays: number[] = [];
  const result = await deliverOutboundMessage(app.url, "<x/>", {
    initialDelayMs: 100,
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
  await app.close();
  expect(result).toEqual({ acked: true, attempts: 3, lastStatus: 200 });
  expect(delays).toEqual([100, 200]);
});

test("the generator batches 250 new leads into messages of at most 100 that the app's parser reads", async () => {
  const state = createSalesforceSandboxState({ now: () => Date.parse("2026-11-23T10:00:00Z") });
  const app = await receiver([{ status: 200, body: ACK }]);
  let seed = 1;
  const traffic = createSalesforceTrafficGenerator(state, {
    webhookUrl: app.url,
    instanceUrl: "http://127.0.0.1:3001/salesforce",
    random: () => (seed = (seed * 16807) % 2147483647) / 2147483647,
  });
  const ids = Array.from({ length: 250 }, () => traffic.createLead());
  const results = await traffic.flush();
  await app.close();
  expect(results.map((r) => r.acked)).toEqual([true, true, true]);
  const parsed = app.received.map((xml) => parseOutboundMessage(xml));
  expect(parsed.map((m) => m.notifications.length)).toEqual([100, 100, 50]);
  expect(parsed.every((m) => m.organizationId === state.orgId)).toBe(true);
  const sent = parsed.flatMap((m) => m.notifications.map((n) => n.fields.Id));
  expect(new Set(sent)).toEqual(new Set(ids));
  const notificationIds = parsed.flatMap((m) => m.notifications.map((n) => n.id));
  expect(new Set(notificationIds).size).toBe(250);
  expect(parsed[0]?.notifications[0]?.fields).toMatchObject({
    LeadSource: "Web",
    Status: "Open - Not Contacted",
  });
  expect(traffic.stats).toMatchObject({ messagesSent: 3, messagesAcked: 3, notificationsSent: 250 });
});

test("when the app is down, the message is retried with backoff and then counted as dropped", async () => {
  const state = createSalesforceSandboxState();
  const delays: number[] = [];
  const traffic = createSalesforceTrafficGenerator(state, {
    webhookUrl: "http://127.0.0.1:9/webhooks/salesforce/conn-1/secret",
    instanceUrl: "http://127.0.0.1:3001/salesforce",
    delivery: {
      maxAttempts: 4,
      initialDelayMs: 1000,
      maxDelayMs: 3000,
      sleep: async (ms) => {
        delays.push(ms);
      },
    },
  });
  traffic.createLead();
  const [result] = await traffic.flush();
  expect(result).toEqual({ acked: false, attempts: 4, lastStatus: undefined });
  expect(delays).toEqual([1000, 2000, 3000]);
  expect(traffic.stats).toMatchObject({ messagesSent: 1, messagesDropped: 1, deliveryAttempts: 4 });
});

test("a lead edited while its notifications wait goes out with its latest values in each of them", async () => {
  const state = createSalesforceSandboxState();
  const app = await receiver([{ status: 200, body: ACK }]);
  const traffic = createSalesforceTrafficGenerator(state, {
    webhookUrl: app.url,
    instanceUrl: "http://127.0.0.1:3001/salesforce",
  });
  const id = traffic.createLead({ Title: "Engineer" });
  traffic.updateLead(id, { Title: "VP Engineering" });
  await traffic.flush();
  await app.close();
  const notifications = app.received.flatMap((xml) => parseOutboundMessage(xml).notifications);
  expect(notifications.map((n) => n.fields.Title)).toEqual(["VP Engineering", "VP Engineering"]);
});

test("with redeliverShare 1 every acknowledged message arrives twice, byte for byte", async () => {
  const state = createSalesforceSandboxState();
  const app = await receiver([{ status: 200, body: ACK }]);
  const traffic = createSalesforceTrafficGenerator(state, {
    webhookUrl: app.url,
    instanceUrl: "http://127.0.0.1:3001/salesforce",
    redeliverShare: 1,
  });
  traffic.createLead();
  traffic.createLead();
  await traffic.flush();
  await app.close();
  expect(app.received).toHaveLength(2);
  expect(app.received[1]).toBe(app.received[0]);
  expect(traffic.stats).toMatchObject({ messagesSent: 1, messagesAcked: 1, messagesRedelivered: 1 });
});

describe("Salesforce editions", () => {
  test("the daily API allocation follows the edition and its licences", () => {
    expect(createSalesforceSandboxState({ edition: "professional", licenses: 10 }).dailyApiLimit).toBe(
      110_000,
    );
    expect(createSalesforceSandboxState({ edition: "enterprise", licenses: 50 }).dailyApiLimit).toBe(150_000);
    expect(createSalesforceSandboxState({ edition: "unlimited", licenses: 50 }).dailyApiLimit).toBe(350_000);
  });

  test("when the org is Professional Edition, then no outbound message is sent: the edition has none", async () => {
    const state = createSalesforceSandboxState({ edition: "professional" });
    const traffic = createSalesforceTrafficGenerator(state, {
      webhookUrl: "http://127.0.0.1:9/never-called",
      instanceUrl: "http://127.0.0.1:9/salesforce",
    });
    const id = traffic.createLead();
    expect(state.records.get("Lead")?.has(id)).toBe(true);
    expect(await traffic.flush()).toEqual([]);
    expect(traffic.stats.messagesSent).toBe(0);
  });
});

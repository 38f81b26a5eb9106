import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createNotifiers } from "../../../src/adapters/notify/create-notifiers";
import type { HandoffNotification } from "../../../src/adapters/notify/handoff-notification";
import { createSlackNotifier } from "../../../src/adapters/notify/slack-notifier";
import type { SlackMessage } from "../../../src/adapters/notify/slack-message";
import { aHandoffCard, aHandoffCardInput } from "../../fixtures/handoff-card";

interface Captured {
  path: string;
  authorization: string | undefined;
  body: SlackMessage & { channel?: string };
}

let server: Server;
let base: string;
const captured: Captured[] = [];

// A stand-in for hooks.slack.com and slack.com/api on loopback, answering as the reference documents.
beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.use((req, _res, next) => {
    captured.push({ path: req.path, authorization: req.get("authorization"), body: req.body });
    next();
  });
  const hookAnswers: Record<string, [number, string]> = {
    ok: [200, "ok"],
    revoked: [403, "action_prohibited"],
    archived: [410, "channel_is_archived"],
    gone: [404, "no_service"],
    bad: [400, "invalid_payload"],
    down: [500, "rollup_error"],
  };
  app.post("/services/T0001/B0001/:hook", (req, res) => {
    if (req.params.hook === "busy") return void res.status(429).set("retry-after", "7").send("rate_limited");
    if (req.params.hook === "slow") return; // never answers
    const [status, text] = hookAnswers[req.params.hook] ?? [404, "no_service"];
    res.status(status).type("text/plain").send(text);
  });
  app.post("/api/chat.postMessage", (req, res) => {
    const token = (req.get("authorization") ?? "").replace(/^Bearer /, "");
    if (token === "xoxb-busy")
      return void res.status(429).set("retry-after", "3").json({ ok: false, error: "ratelimited" });
    const errors: Record<string, string> = {
      "xoxb-revoked": "token_revoked",
      "xoxb-outside": "not_in_channel",
      "xoxb-flaky": "internal_error",
      "xoxb-weird": "invalid_blocks",
    };
    const error = errors[token];
    res.json(error ? { ok: false, error } : { ok: true, channel: req.body.channel, ts: "1795428000.000100" });
  });
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  captured.length = 0;
});

function aNotification(): HandoffNotification {
  const card = aHandoffCard({ lead: { ...aHandoffCardInput().lead, company: "<!channel> & Co" } });
  return { handoffId: "dec_9f3c", card, links: { card: "https://handoff.test/cards/preview/conn-hs-1/501" } };
}

const hook = (name: string) => `${base}/services/T0001/B0001/${name}`;

describe("Slack incoming webhook", () => {
  it("when the hook accepts, then the rep's channel gets the card summary with links and a fallback text", async () => {
    const slack = createSlackNotifier({ webhookUrl: hook("ok") });
    await expect(slack.notify(aNotification())).resolves.toEqual({ channel: "slack" });

    expect(captured).toHaveLength(1);
    const { body } = captured[0]!;
    expect(body.text).toBe(
      "New lead for you: Zoë Müller (&lt;!channel&gt; &amp; Co), score 137. Submitted form “contact-me” on /contact",
    );
    const json = JSON.stringify(body.blocks);
    // Plain-text header: Slack shows it verbatim. In mrkdwn, CRM data cannot ping the channel or inject links.
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "New lead: Zoë Müller (<!channel> & Co)" },
    });
    const mrkdwn = JSON.stringify(body.blocks.slice(1));
    expect(mrkdwn).toContain("VP Sales at &lt;!channel&gt; &amp; Co");
    expect(mrkdwn).not.toContain("<!channel>");
    expect(json).toContain("*Score 137*\\nfit 75 · engagement 62");
    expect(json).toContain("+50 submitted contact-me");
    expect(json).toContain(
      "<!date^1795429500^{date_short_pretty} {time}|2026-11-23T10:25:00.000Z> (due in 25 min)",
    );
    expect(json).toContain("Why Anna Schmidt: territory DACH (country DE)");
    const actions = body.blocks.find((b) => b.type === "actions");
    expect(actions).toEqual({
      type: "actions",
      block_id: "handoff:dec_9f3c",
      elements: [
        expect.objectContaining({
          url: "https://handoff.test/cards/preview/conn-hs-1/501",
          value: "dec_9f3c",
        }),
        expect.objectContaining({
          text: { type: "plain_text", text: "Open in HubSpot" },
          url: "https://app.hubspot.com/contacts/9876543/record/0-1/501",
        }),
      ],
    });
    // Personal data stays out of what Slack stores as button values and ids.
    expect(JSON.stringify(actions)).not.toContain("zoe@");
  });

  it.each([
    ["revoked", "slack_hook_dead"],
    ["archived", "slack_hook_dead"],
    ["gone", "slack_hook_dead"],
  ])("when the hook is %s, then the channel is disabled and not retried", async (name, code) => {
    const slack = createSlackNotifier({ webhookUrl: hook(name) }, { connectionId: "conn-hs-1" });
    const failure = slack.notify(aNotification());
    await expect(failure).rejects.toMatchObject({
      code,
      retryable: false,
      disableChannel: true,
      channel: "slack",
    });
    await expect(failure).rejects.toThrow(/for connection conn-hs-1 \(handoff dec_9f3c\)/);
  });

  it("when Slack calls the payload invalid, then it is not retried (our bug) and the channel stays on", async () => {
    const slack = createSlackNotifier({ webhookUrl: hook("bad") });
    await expect(slack.notify(aNotification())).rejects.toMatchObject({
      code: "slack_rejected",
      retryable: false,
      disableChannel: false,
    });
  });

  it("when Slack is down or busy, then the job retries, after Retry-After when given", async () => {
    await expect(
      createSlackNotifier({ webhookUrl: hook("down") }).notify(aNotification()),
    ).rejects.toMatchObject({
      code: "slack_unavailable",
      retryable: true,
    });
    await expect(
      createSlackNotifier({ webhookUrl: hook("busy") }).notify(aNotification()),
    ).rejects.toMatchObject({
      code: "slack_rate_limited",
      retryable: true,
      retryAfterMs: 7000,
    });
  });

  it("when Slack does not answer in time or cannot be reached, then the job retries", async () => {
    const slow = createSlackNotifier({ webhookUrl: hook("slow") }, { timeoutMs: 100 });
    await expect(slow.notify(aNotification())).rejects.toMatchObject({
      code: "slack_unavailable",
      retryable: true,
    });

    const closed = express().listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const refused = createSlackNotifier({ webhookUrl: `http://127.0.0.1:${port}/services/x` });
    await expect(refused.notify(aNotification())).rejects.toMatchObject({
      code: "slack_unavailable",
      retryable: true,
    });
  });

  it("never puts the webhook URL into an error message", async () => {
    const failure = createSlackNotifier({ webhookUrl: hook("revoked") }).notify(aNotification());
    await expect(failure).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("B0001") }),
    );
  });
});

describe("Slack bot token (chat.postMessage)", () => {
  const bot = (token: string) =>
    createSlackNotifier(
      { botToken: token, channel: "C0HANDOFF", mentions: { "80001": "U0REP0001" } },
      { apiBaseUrl: `${base}/api` },
    );

  it("when the bot posts, then the message goes to the channel, mentions the owner and returns Slack's ts", async () => {
    await expect(bot("xoxb-good").notify(aNotification())).resolves.toEqual({
      channel: "slack",
      id: "1795428000.000100",
    });
    expect(captured[0]).toMatchObject({
      path: "/api/chat.postMessage",
      authorization: "Bearer xoxb-good",
      body: { channel: "C0HANDOFF" },
    });
    expect(JSON.stringify(captured[0]!.body.blocks)).toContain("<@U0REP0001> *<https://app.hubspot.com/");
  });

  it.each([
    ["xoxb-revoked", { code: "slack_auth", retryable: false, disableChannel: true }],
    ["xoxb-outside", { code: "slack_channel_unusable", retryable: false, disableChannel: true }],
    ["xoxb-flaky", { code: "slack_unavailable", retryable: true }],
    ["xoxb-weird", { code: "slack_rejected", retryable: false, disableChannel: false }],
    ["xoxb-busy", { code: "slack_rate_limited", retryable: true, retryAfterMs: 3000 }],
  ])("classifies Slack's answer to %s", async (token, expected) => {
    await expect(bot(token).notify(aNotification())).rejects.toMatchObject(expected);
  });
});

describe("createNotifiers", () => {
  it("builds one notifier per configured channel", async () => {
    const notifiers = createNotifiers({
      slack: { webhookUrl: hook("ok") },
      email: { smtpUrl: "smtp://u:p@127.0.0.1:2525", from: "Handoff <handoff@handoff.test>" },
    });
    expect(notifiers.map((n) => n.channel)).toEqual(["slack", "email"]);
    await Promise.all(notifiers.map((n) => n.close()));
    expect(createNotifiers({})).toEqual([]);
  });

  it("reports every problem in the settings at once", () => {
    expect(() =>
      createNotifiers({
        slack: { botToken: "not-a-token", channel: "" },
        email: { smtpUrl: "http://mail.example.com", from: "x", to: { "80001": "nope" } },
      }),
    ).toThrow(
      expect.objectContaining({
        code: "invalid_notification_settings",
        details: {
          issues: expect.arrayContaining([
            expect.objectContaining({ path: "email.smtpUrl" }),
            expect.objectContaining({ path: "email.from" }),
            expect.objectContaining({ path: "email.to.80001" }),
          ]),
        },
      }),
    );
  });
});

import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { createEmailNotifier } from "../../../src/adapters/notify/email-notifier";
import type { HandoffNotification, Notifier } from "../../../src/adapters/notify/handoff-notification";
import { aHandoffCard, aHandoffCardInput } from "../../fixtures/handoff-card";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let server: SMTPServer;
let port: number;
const received: Received[] = [];
const notifiers: Notifier[] = [];

// A local SMTP server with AUTH and a few mailboxes that answer the way real servers fail.
beforeAll(async () => {
  server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === "handoff" && auth.password === "test-pass") return cb(null, { user: "handoff" });
      cb(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith("nobody@")) {
        return cb(Object.assign(new Error("No such user"), { responseCode: 550 }));
      }
      if (address.address.startsWith("greylisted@")) {
        return cb(Object.assign(new Error("Try again later"), { responseCode: 451 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        cb();
      });
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  port = (server.server.address() as AddressInfo).port;
});

afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((n) => n.close()));
  received.length = 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function notifier(options: { password?: string; to?: Record<string, string>; fallbackTo?: string } = {}) {
  const n = createEmailNotifier({
    smtpUrl: `smtp://handoff:${options.password ?? "test-pass"}@127.0.0.1:${port}`,
    from: "Handoff <handoff@handoff.test>",
    to: options.to ?? { "80001": "anna.rep@seller.test" },
    ...(options.fallbackTo ? { fallbackTo: options.fallbackTo } : {}),
  });
  notifiers.push(n);
  return n;
}

function aNotification(ownerEmail?: string): HandoffNotification {
  const input = aHandoffCardInput({
    lead: { ...aHandoffCardInput().lead, company: "Acme <b>GmbH</b> & Söhne" },
    owner: { id: "80001", name: "Anna Schmidt", ...(ownerEmail ? { email: ownerEmail } : {}) },
  });
  return {
    handoffId: "dec_9f3c",
    card: aHandoffCard(input),
    links: { card: "https://handoff.test/cards/preview/conn-hs-1/501" },
  };
}

/** Decodes the quoted-printable and base64 parts and RFC 2047 words well enough to assert on them. */
function decode(crlf: string): { headers: string; text: string; html: string } {
  const raw = crlf.replace(/\r\n/g, "\n");
  const [headers = "", ...rest] = raw.split("\n\n");
  const body = rest.join("\n\n");
  const part = (type: string) => {
    const m = new RegExp(`Content-Type: ${type}[^]*?\\r?\\n\\r?\\n([^]*?)\\r?\\n--`, "i").exec(body);
    const block = m?.[0] ?? "";
    const content = m?.[1] ?? "";
    if (/Content-Transfer-Encoding: base64/i.test(block))
      return Buffer.from(content, "base64").toString("utf8");
    if (/Content-Transfer-Encoding: quoted-printable/i.test(block)) {
      const bytes = content.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_s, h: string) => `%${h}`);
      return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/g, "%25"));
    }
    return content;
  };
  const unfolded = headers.replace(/\r?\n[ \t]+/g, " ");
  const words = unfolded.replace(/=\?UTF-8\?Q\?(.*?)\?=\s*/gi, (_s, q: string) =>
    decodeURIComponent(q.replace(/_/g, " ").replace(/=([0-9A-F]{2})/g, "%$1")),
  );
  return { headers: words, text: part("text/plain"), html: part("text/html") };
}

describe("e-mail notifier", () => {
  it("when a lead is handed over, then the owner gets a text+HTML e-mail with the card summary and a stable Message-ID", async () => {
    const receipt = await notifier().notify(aNotification("ignored@seller.test"));

    expect(receipt).toEqual({ channel: "email", id: "<handoff.dec_9f3c.email@handoff.test>" });
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.from).toBe("handoff@handoff.test");
    expect(mail.to).toEqual(["anna.rep@seller.test"]);
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/);
    const { headers, text, html } = decode(mail.raw);
    expect(headers).toContain("Message-ID: <handoff.dec_9f3c.email@handoff.test>");
    expect(headers).toContain("Subject: New lead for you: Zoë Müller (Acme <b>GmbH</b> & Söhne), score 137");
    expect(text).toContain("Why now: Submitted form “contact-me” on /contact");
    expect(text).toContain("Last five content views\n- Contact us – /contact");
    expect(text).toContain("Live card: https://handoff.test/cards/preview/conn-hs-1/501");
    expect(html).toContain("Acme &lt;b&gt;GmbH&lt;/b&gt; &amp; Söhne");
    expect(html).not.toContain("<b>GmbH</b>");
    expect(html).toContain('<a href="https://handoff.test/cards/preview/conn-hs-1/501"');
    expect(html).toContain("+20 job title matches &#39;VP*&#39;");
  });

  it("when the owner is not in the mapping, then the CRM address is used, then the fallback inbox", async () => {
    await notifier({ to: {} }).notify(aNotification("anna@crm.test"));
    await notifier({ to: {}, fallbackTo: "triage@seller.test" }).notify(aNotification());
    expect(received.map((r) => r.to)).toEqual([["anna@crm.test"], ["triage@seller.test"]]);
  });

  it("when nobody can receive it, then it fails without retrying and says how to fix it", async () => {
    await expect(notifier({ to: {} }).notify(aNotification())).rejects.toMatchObject({
      code: "email_no_recipient",
      retryable: false,
      hint: expect.stringContaining("fallbackTo"),
    });
  });

  it("when the SMTP password is wrong, then the channel is disabled and not retried", async () => {
    const failure = notifier({ password: "wrong" }).notify(aNotification());
    await expect(failure).rejects.toMatchObject({
      code: "email_auth",
      retryable: false,
      disableChannel: true,
    });
    await expect(failure).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("wrong") }),
    );
  });

  it("when the server refuses the recipient for good, then it is not retried; when it defers, it is", async () => {
    await expect(
      notifier({ to: { "80001": "nobody@seller.test" } }).notify(aNotification()),
    ).rejects.toMatchObject({
      code: "email_rejected",
      retryable: false,
    });
    await expect(
      notifier({ to: { "80001": "greylisted@seller.test" } }).notify(aNotification()),
    ).rejects.toMatchObject({
      code: "email_unavailable",
      retryable: true,
    });
  });

  it("when the server cannot be reached, then the job retries", async () => {
    const closed = new SMTPServer({ logger: false });
    closed.listen(0, "127.0.0.1");
    await once(closed.server, "listening");
    const deadPort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const n = createEmailNotifier(
      {
        smtpUrl: `smtp://handoff:test-pass@127.0.0.1:${deadPort}`,
        from: "handoff@handoff.test",
        to: { "80001": "a@b.test" },
      },
      { timeoutMs: 2000 },
    );
    notifiers.push(n);
    await expect(n.notify(aNotification())).rejects.toMatchObject({
      code: "email_unavailable",
      retryable: true,
    });
  });
});

import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { SMTPServer } from "smtp-server";

export interface Captured {
  slack: { body: unknown }[];
  mail: { to: string[]; raw: string }[];
  slackUrl: string;
  smtpUrl: string;
  close(): Promise<void>;
}

/** A local Slack incoming webhook and a local SMTP server that keep what they receive. */
export async function startCaptureServers(): Promise<Captured> {
  const slack: Captured["slack"] = [];
  const mail: Captured["mail"] = [];
  const app = express();
  app.post("/services/T0/B0/hook", express.json(), (req, res) => {
    slack.push({ body: req.body });
    res.type("text/plain").send("ok");
  });
  const http: Server = app.listen(0, "127.0.0.1");
  await once(http, "listening");
  const smtp = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mail.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        cb();
      });
    },
  });
  smtp.listen(0, "127.0.0.1");
  await once(smtp.server, "listening");
  return {
    slack,
    mail,
    slackUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/services/T0/B0/hook`,
    smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((r) => http.close(() => r()));
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

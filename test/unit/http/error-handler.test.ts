import { readFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import request from "supertest";
import { ConfigError, readConfig } from "../../../src/config/read-config";
import {
  AppError,
  ERROR_CODES,
  NotFoundError,
  UnknownConnectionError,
  type ErrorCode,
} from "../../../src/domain/errors";
import { createErrorHandler, HTTP_STATUS } from "../../../src/http/error-handler";
import { assignRequestId } from "../../../src/http/request-id";
import { createCapturingLogger } from "../../../src/logging/logger";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `status → codes` as the README's error list documents them. */
function documentedStatuses(): Map<string, number> {
  const readme = readFileSync(join(__dirname, "../../../README.md"), "utf8");
  const start = readme.indexOf("Every error body:");
  const section = readme.slice(start, readme.indexOf("\n## ", start));
  const documented = new Map<string, number>();
  for (const item of section.split(/\n- /).slice(1)) {
    const status = /^\*\*(\d{3})\*\*:/.exec(item)?.[1];
    if (!status) continue;
    for (const [, code] of item.matchAll(/`([a-z_]+)`/g)) documented.set(code!, Number(status));
  }
  return documented;
}

function appThrowing(err: unknown) {
  const logger = createCapturingLogger();
  const app = express();
  app.use(assignRequestId());
  app.get("/ok", (_req, res) => {
    res.json({ ok: true });
  });
  app.get("/fail", () => {
    throw err;
  });
  app.get("/things/:token", () => {
    throw err;
  });
  app.use(createErrorHandler(logger));
  return { app, logger };
}

describe("error handler", () => {
  it("when a route fails unexpectedly, then the 500 names the request id that the one log line carries", async () => {
    const { app, logger } = appThrowing(new Error("connection reset"));
    const res = await request(app).get("/fail").expect(500);
    const id = res.headers["x-request-id"];
    expect(id).toMatch(UUID);
    expect(res.body).toEqual({
      error: "internal",
      message: "internal error",
      hint: `See the server log for requestId ${id}.`,
      requestId: id,
    });
    expect(logger.entries).toEqual([
      {
        level: "error",
        message: "unhandled error",
        fields: expect.objectContaining({ requestId: id, method: "GET", path: "/fail" }),
      },
    ]);
  });

  it("when a request is refused, then the body, the X-Request-Id header and the log line carry the same id", async () => {
    const { app, logger } = appThrowing(new UnknownConnectionError("hubspot-1"));
    const res = await request(app).get("/things/s3cret-path-token").expect(404);
    expect(res.body).toMatchObject({ error: "unknown_connection", message: "no connection hubspot-1" });
    expect(res.body.requestId).toMatch(UUID);
    expect(res.headers["x-request-id"]).toBe(res.body.requestId);
    expect(logger.entries).toEqual([
      {
        level: "info",
        message: "request refused",
        fields: {
          requestId: res.body.requestId,
          method: "GET",
          path: "/things/:token",
          status: 404,
          code: "unknown_connection",
        },
      },
    ]);
  });

  it("when requests succeed, then each gets its own id and a client's X-Request-Id is not reused", async () => {
    const { app } = appThrowing(new Error("unused"));
    const a = await request(app).get("/ok").set("X-Request-Id", "chosen-by-the-client").expect(200);
    const b = await request(app).get("/ok").expect(200);
    expect(a.headers["x-request-id"]).toMatch(UUID);
    expect(a.headers["x-request-id"]).not.toBe("chosen-by-the-client");
    expect(b.headers["x-request-id"]).toMatch(UUID);
    expect(a.headers["x-request-id"]).not.toBe(b.headers["x-request-id"]);
  });

  it("when an error carries a code, then it is answered with that code's status from the one table", async () => {
    for (const [code, status] of [
      ["invalid_signature", 401],
      ["crm_rate_limited", 503],
      ["sla_publish_refused", 409],
      ["unknown_connection", 404],
    ] as const) {
      const { app } = appThrowing(new AppError(code, "refused"));
      const res = await request(app).get("/fail");
      expect([code, res.status, res.body.error]).toEqual([code, status, code]);
    }
  });

  it("when express raises a client status itself, then it gets a code of the family with the same status", async () => {
    const { app } = appThrowing(Object.assign(new Error("gone"), { status: 404 }));
    const res = await request(app).get("/fail").expect(404);
    expect(res.body).toMatchObject({ error: "not_found" });
  });
});

describe("error codes", () => {
  it("when the README lists the statuses, then every code is there with the status the handler answers", () => {
    const documented = documentedStatuses();
    expect(Object.fromEntries(documented)).toEqual(HTTP_STATUS);
    expect([...documented.keys()].sort()).toEqual([...ERROR_CODES].sort());
  });

  it("when a code is not in the closed list, then it does not compile", () => {
    // @ts-expect-error "connection_not_found" is not a code: an unknown connection is `unknown_connection`.
    const make = () => new AppError("connection_not_found", "no connection x");
    const known: ErrorCode = new NotFoundError("no lead 1").code;
    expect(make().code).toBe("connection_not_found");
    expect(known).toBe("not_found");
  });

  it("when the list is read, then no code appears twice and errors carry no HTTP status", () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(Object.keys(new UnknownConnectionError("c-1"))).not.toContain("status");
  });
});

describe("config error", () => {
  it("when the environment is wrong, then the error is one of the family with a code and a hint naming each variable", () => {
    let thrown: unknown;
    try {
      readConfig({ DATABASE_URL: "postgres://h/db", PORT: "nope" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toBeInstanceOf(AppError);
    const err = thrown as ConfigError;
    expect(err.code).toBe("config_invalid");
    expect(err.fields).toEqual(["PORT"]);
    expect(err.hint).toContain("Set PORT in the environment");
    expect(err.message).toContain("PORT: ");
  });

  it("when several variables are missing, then the hint names every one of them", () => {
    const err = (() => {
      try {
        readConfig({ DATABASE_URL: "postgres://h/db" });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(err.fields).toEqual([
      "HUBSPOT_CLIENT_SECRET or SALESFORCE_CLIENT_SECRET",
      "HANDOFF_ENCRYPTION_KEY",
      "HANDOFF_ADMIN_TOKEN",
    ]);
    for (const field of err.fields) expect(err.hint).toContain(field);
  });
});

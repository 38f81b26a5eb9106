import express from "express";
import request from "supertest";
import { createErrorHandler } from "../../../src/http/error-handler";
import { createCapturingLogger } from "../../../src/logging/logger";

describe("error handler", () => {
  it("when a route fails unexpectedly, then the 500 names an error id that the one log line carries", async () => {
    const logger = createCapturingLogger();
    const app = express();
    app.get("/boom", () => {
      throw new Error("connection reset");
    });
    app.use(createErrorHandler(logger));
    const res = await request(app).get("/boom").expect(500);
    expect(res.body).toMatchObject({ error: "internal", message: "internal error" });
    const id = /errorId ([0-9a-f-]{36})/.exec(res.body.hint)?.[1];
    expect(id).toBeDefined();
    expect(logger.entries).toEqual([
      {
        level: "error",
        message: "unhandled error",
        fields: expect.objectContaining({ errorId: id, path: "/boom" }),
      },
    ]);
  });
});

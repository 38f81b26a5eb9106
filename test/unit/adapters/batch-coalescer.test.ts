import { BatchCoalescer, type BatchResults } from "../../../src/adapters/batch-coalescer";

function recorder<R>(answer: (items: string[]) => BatchResults<R> | Promise<BatchResults<R>>) {
  const calls: string[][] = [];
  return {
    calls,
    execute: async (items: string[]) => {
      calls.push(items);
      return answer(items);
    },
  };
}

const echo = (items: string[]) => new Map(items.map((id) => [id, `lead ${id}`]));

describe("BatchCoalescer", () => {
  it("when reads arrive within the linger window, then they go out as one batch call and each caller gets its own answer", async () => {
    const crm = recorder(echo);
    const reads = new BatchCoalescer<string, string>({
      maxBatchSize: 100,
      lingerMs: 5,
      keyOf: (id) => id,
      execute: crm.execute,
    });
    await expect(Promise.all(["1", "2", "3"].map((id) => reads.submit(id)))).resolves.toEqual([
      "lead 1",
      "lead 2",
      "lead 3",
    ]);
    expect(crm.calls).toEqual([["1", "2", "3"]]);
    expect(reads.stats()).toEqual({ batches: 1, items: 3 });
  });

  it("when the batch is full, then it goes out at once and the rest start the next batch", async () => {
    const crm = recorder(echo);
    const reads = new BatchCoalescer<string, string>({
      maxBatchSize: 2,
      lingerMs: 1_000,
      keyOf: (id) => id,
      execute: crm.execute,
    });
    const first = reads.submitMany(["1", "2"]);
    expect(crm.calls).toEqual([["1", "2"]]);
    await first;
    const third = reads.submit("3");
    reads.flush();
    await expect(third).resolves.toBe("lead 3");
    expect(crm.calls).toEqual([["1", "2"], ["3"]]);
  });

  it("when two writes to one record meet in a batch, then they are merged (later fields win) and both callers are answered", async () => {
    type Write = { id: string; fields: Record<string, string> };
    const sent: Write[][] = [];
    const writes = new BatchCoalescer<Write, true>({
      maxBatchSize: 100,
      lingerMs: 5,
      keyOf: (w) => w.id,
      merge: (a, b) => ({ id: a.id, fields: { ...a.fields, ...b.fields } }),
      execute: async (items) => {
        sent.push(items);
        return new Map(items.map((w) => [w.id, true as const]));
      },
    });
    await Promise.all([
      writes.submit({ id: "7", fields: { stage: "MQL", score: "40" } }),
      writes.submit({ id: "7", fields: { score: "65" } }),
    ]);
    expect(sent).toEqual([[{ id: "7", fields: { stage: "MQL", score: "65" } }]]);
  });

  it("when one item of a batch fails, then only its caller gets the error; an unknown id answers undefined", async () => {
    const crm = recorder<string>((items) => {
      const results: BatchResults<string> = new Map([["1", "lead 1"]]);
      if (items.includes("2")) results.set("2", new Error("2: INVALID_EMAIL"));
      return results;
    });
    const reads = new BatchCoalescer<string, string>({
      maxBatchSize: 100,
      lingerMs: 5,
      keyOf: (id) => id,
      execute: crm.execute,
    });
    const [one, two, three] = await Promise.allSettled(["1", "2", "3"].map((id) => reads.submit(id)));
    expect(one).toEqual({ status: "fulfilled", value: "lead 1" });
    expect(two).toMatchObject({ status: "rejected", reason: { message: "2: INVALID_EMAIL" } });
    expect(three).toEqual({ status: "fulfilled", value: undefined });
  });

  it("when the batch call itself fails, then every caller of that batch gets the error", async () => {
    const reads = new BatchCoalescer<string, string>({
      maxBatchSize: 100,
      lingerMs: 5,
      keyOf: (id) => id,
      execute: async () => {
        throw new Error("503");
      },
    });
    const results = await Promise.allSettled(["1", "2"].map((id) => reads.submit(id)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("when the options are impossible, then the constructor names the option and the value", () => {
    const execute = async () => new Map<string, string>();
    expect(() => new BatchCoalescer({ maxBatchSize: 0, keyOf: String, execute })).toThrow(
      "Expected `maxBatchSize` to be an integer ≥ 1, got `0`",
    );
    expect(() => new BatchCoalescer({ maxBatchSize: 1, lingerMs: -1, keyOf: String, execute })).toThrow(
      "Expected `lingerMs` to be a finite number ≥ 0, got `-1`",
    );
  });
});

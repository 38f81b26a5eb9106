import { BatchCoalescer, type BatchResults } from "../../../src/adapters/batch-coalescer";
import { withWorkPriority } from "../../../src/ports/work-priority";

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

describe("BatchCoalescer with calls under way", () => {
  /** A coalescer allowing one call at a time, whose calls come back when the test releases them. */
  function gated() {
    const releases: (() => void)[] = [];
    const crm = recorder(async (ids) => {
      await new Promise<void>((r) => releases.push(r));
      return new Map(ids.map((id) => [id, id]));
    });
    const c = new BatchCoalescer<string, string>({
      maxBatchSize: 100,
      lingerMs: 1,
      maxInFlight: 1,
      keyOf: (id) => id,
      execute: crm.execute,
    });
    return { c, batches: crm.calls, releases };
  }
  const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("when a call is out, then the next leads gather into one batch that goes when it comes back", async () => {
    const { c, batches, releases } = gated();
    const first = c.submit("a");
    await tick(20);
    expect(batches).toEqual([["a"]]);
    const rest = ["b", "c", "d"].map((id) => c.submit(id));
    await tick(20);
    // Their linger is long over, but the first call has not come back: they wait together.
    expect(batches).toHaveLength(1);
    releases[0]!();
    await first;
    await tick(5);
    expect(batches).toEqual([["a"], ["b", "c", "d"]]);
    releases[1]!();
    expect(await Promise.all(rest)).toEqual(["b", "c", "d"]);
  });

  it("when only bulk calls are out, then a live item's batch goes after its own linger", async () => {
    const { c, batches, releases } = gated();
    const bulk = withWorkPriority("bulk", () => c.submit("b1"));
    await tick(20);
    const live = withWorkPriority("live", () => c.submit("l1"));
    await tick(20);
    expect(batches).toEqual([["b1"], ["l1"]]);
    releases.forEach((r) => r());
    await Promise.all([bulk, live]);
  });
});

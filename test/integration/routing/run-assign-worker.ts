import { spawn } from "node:child_process";
import path from "node:path";

const WORKER = path.join(__dirname, "assign-worker.ts");

export interface WorkerReport {
  worker: string;
  count: number;
  seconds: number;
  perRep: Record<string, number>;
}

/** Runs one assigning process (its own pg pool, `concurrency` transactions in flight). */
export function runAssignWorker(env: Record<string, string>): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", WORKER], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`worker ${env.WORKER} exited ${code}: ${err.slice(-2000)}`));
      const line = out.trim().split("\n").pop() ?? "";
      resolve(JSON.parse(line) as WorkerReport);
    });
  });
}

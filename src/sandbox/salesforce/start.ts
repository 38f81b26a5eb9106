import type { AddressInfo } from "node:net";
import express from "express";
import { createSalesforceSandboxRouter, type SalesforceSandboxRouterOptions } from "./router";
import {
  createSalesforceSandboxState,
  type SalesforceSandboxOptions,
  type SalesforceSandboxState,
} from "./state";

export interface RunningSalesforceSandbox {
  state: SalesforceSandboxState;
  /** e.g. http://127.0.0.1:41234/salesforce: the instance URL and the OAuth login URL. */
  instanceUrl: string;
  close(): Promise<void>;
}

/**
 * The Salesforce sandbox alone on its own port (tests, benchmarks). `npm start` mounts the same router in the
 * shared sandbox server instead.
 * @example const sf = await startSalesforceSandbox({ dailyApiLimit: 5000 }); … await sf.close();
 */
export async function startSalesforceSandbox(
  options: SalesforceSandboxOptions &
    SalesforceSandboxRouterOptions & { port?: number; state?: SalesforceSandboxState } = {},
): Promise<RunningSalesforceSandbox> {
  const state = options.state ?? createSalesforceSandboxState(options);
  const app = express();
  app.use("/salesforce", createSalesforceSandboxRouter(state, options));
  const server = app.listen(options.port ?? 0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    state,
    instanceUrl: `http://127.0.0.1:${port}/salesforce`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

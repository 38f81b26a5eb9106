import type { LeadEventHandler } from "../jobs/lead-event-worker";
import { composeHandoff, type HandoffProduct, type HandoffSettings } from "./compose";
import {
  openInfrastructure,
  requirePipeline,
  startRuntime,
  type Infrastructure,
  type InfrastructureOptions,
  type Runtime,
  type RuntimeOptions,
  type RuntimeParts,
} from "./runtime";

export interface HandoffRuntimeOptions
  extends InfrastructureOptions, Omit<RuntimeOptions, keyof RuntimeParts> {
  /** The whole product (pipeline, cards, install, dashboards, notifications), built by `composeHandoff`. */
  product?: HandoffSettings;
  /** Intake alone (tests, the intake bench): the pipeline the worker runs instead of the product's. */
  handleLeadEvent?: LeadEventHandler;
  /** Runs on the infrastructure before the product and its workers start (the embedded demo's seed). */
  beforeStart?: (infra: Infrastructure) => Promise<void>;
}

export interface HandoffRuntime extends Runtime {
  /** The product's wiring, when it was built (its pipeline and feedback dependencies, for tests and tools). */
  product: HandoffProduct | undefined;
}

/**
 * One process of Handoff, built in order and started: infrastructure (pool, migrations, pg-boss, stores), the
 * product on it, then the server and workers with everything passed at construction.
 * @example const rt = await startHandoffRuntime({ databaseUrl, logger, product: settings, port: 3000, worker: true, now });
 */
export async function startHandoffRuntime(options: HandoffRuntimeOptions): Promise<HandoffRuntime> {
  // Checked before anything opens, so a wiring mistake leaves no pool or job queue behind.
  if (options.worker && !options.product) requirePipeline(options.handleLeadEvent);
  const infra = await openInfrastructure(options);
  await options.beforeStart?.(infra);
  const product = options.product ? await composeHandoff(infra, options.product, options.now) : undefined;
  const runtime = await startRuntime(infra, {
    ...options,
    ...(product
      ? {
          handleLeadEvent: product.handleLeadEvent,
          routers: product.routers,
          adminRouters: product.adminRouters,
          stop: product.stop,
        }
      : {}),
  });
  return Object.assign(runtime, { product });
}

import { AppError, UnknownConnectionError } from "../domain/errors";
import type { ConnectionLink, ConnectionLinkStore } from "../ports/connection-links";
import type { Connection, ConnectionStore } from "../ports/connections";
import type { Clock } from "../ports/clock";

export interface LinkConnectionsDeps {
  connections: ConnectionStore;
  links: ConnectionLinkStore;
  now: Clock;
}

export interface LinkRequest {
  marketingConnectionId: string;
  salesConnectionId: string;
  integrationUserId: string;
  /** Who linked them (the admin surface that asked). */
  linkedBy: string;
}

/** A Salesforce User id: 15 or 18 characters, key prefix 005. */
const SALESFORCE_USER_ID = /^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/;

function invalidLink(message: string, hint: string): AppError {
  return new AppError("invalid_link", message, { hint });
}

async function activeConnection(deps: LinkConnectionsDeps, id: string, role: string): Promise<Connection> {
  const connection = await deps.connections.get(id);
  if (!connection) {
    throw new UnknownConnectionError(id, {
      hint: `The ${role} side must be a connection of this Handoff install: install the app on that portal or org first (GET /install/hubspot, /install/salesforce), then link the two connection ids.`,
    });
  }
  if (connection.status !== "active") {
    throw invalidLink(
      `connection ${id} (the ${role} side) is disconnected`,
      "Reinstall the app on it before linking.",
    );
  }
  return connection;
}

/**
 * Links a HubSpot connection (marketing) to a Salesforce connection (sales) of this install as a synced pair.
 * Both must exist here and be active, the marketing side must be HubSpot and the sales side Salesforce, and
 * neither may be in another pair; every problem says how to fix it.
 */
export async function linkConnections(
  deps: LinkConnectionsDeps,
  input: LinkRequest,
): Promise<ConnectionLink> {
  if (input.marketingConnectionId === input.salesConnectionId) {
    throw invalidLink(
      "a connection cannot be linked to itself",
      "Give the HubSpot connection as marketing and the Salesforce connection as sales.",
    );
  }
  const marketing = await activeConnection(deps, input.marketingConnectionId, "marketing");
  const sales = await activeConnection(deps, input.salesConnectionId, "sales");
  if (marketing.crm !== "hubspot") {
    throw invalidLink(
      `connection ${marketing.id} is a ${marketing.crm} connection; the marketing side of a synced pair is HubSpot`,
      "Give the HubSpot connection as marketingConnectionId.",
    );
  }
  if (sales.crm !== "salesforce") {
    throw invalidLink(
      `connection ${sales.id} is a ${sales.crm} connection; the sales side of a synced pair is Salesforce`,
      "Give the Salesforce connection as salesConnectionId.",
    );
  }
  if (!SALESFORCE_USER_ID.test(input.integrationUserId)) {
    throw invalidLink(
      `integrationUserId "${input.integrationUserId.slice(0, 40)}" is not a Salesforce User id`,
      "Give the id (005…) of the Salesforce user the HubSpot connector logs in as: HubSpot → Settings → Integrations → Connected Apps → Salesforce shows its name; Salesforce Setup → Users shows its id.",
    );
  }
  for (const side of [marketing, sales]) {
    const existing = await deps.links.ofConnection(side.id);
    if (
      existing &&
      !(
        existing.marketingConnectionId === marketing.id &&
        (existing.salesConnectionId === sales.id || side.id === marketing.id)
      )
    ) {
      throw new AppError(
        "already_linked",
        `connection ${side.id} is already in the pair ${existing.marketingConnectionId} → ${existing.salesConnectionId}`,
        {
          hint: `Unlink it first: DELETE /admin/api/connection-links/${existing.marketingConnectionId}.`,
        },
      );
    }
  }
  return deps.links.link(
    {
      marketingConnectionId: marketing.id,
      salesConnectionId: sales.id,
      integrationUserId: input.integrationUserId,
      linkedBy: input.linkedBy,
    },
    deps.now(),
  );
}

import type { z } from "zod";
import { InvalidPayloadError } from "../domain/errors";

/**
 * The value `schema` describes, or an InvalidPayloadError listing every issue with its path (`(body)` for the
 * whole value), so a caller fixes them all at once. One home for the request checks of the admin, card and
 * lead-story routes and the HubSpot card's request.
 * @example parsePayload(bodies.sign, req.body ?? {}, "the request body is not what this route takes", 'POST { "connectionId" }')
 * @throws InvalidPayloadError with `message` and `hint` when the value does not match
 */
export function parsePayload<T>(schema: z.ZodType<T>, value: unknown, message: string, hint: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidPayloadError(
    message,
    parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })),
    hint,
  );
}

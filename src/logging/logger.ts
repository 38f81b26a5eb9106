import winston from "winston";
import type { LogFields, Logger } from "../ports/logger";

const SECRET_KEYS =
  /^(.*token|.*secret|.*password|authorization|cookie|.*signature|api_?key|.*email|first_?name|last_?name|full_?name|name|body|phone|values)$/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const TOKENISH = /\b(xox[abprs]-[A-Za-z0-9-]+|pat-[a-z0-9-]{10,}|00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+)/g;

/** The safety net under "log ids only": masks e-mail addresses, tokens and secret-looking fields. */
export function redact(value: unknown, key = "", depth = 0): unknown {
  if (depth > 6) return "[depth]";
  if (typeof value === "string") {
    if (key && SECRET_KEYS.test(key)) return "[redacted]";
    return value.replace(EMAIL, "[email]").replace(BEARER, "$1[redacted]").replace(TOKENISH, "[token]");
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, key, depth + 1));
  if (value && typeof value === "object") {
    if (value instanceof Error) return { name: value.name, message: redact(value.message, "", depth + 1) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k, depth + 1)]));
  }
  return value;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === "level" || key === "timestamp") continue;
    info[key] = key === "message" ? redact(info[key]) : redact(info[key], key);
  }
  return info;
});

export interface LoggerOptions {
  /** @default "info" */
  level?: "error" | "warn" | "info" | "debug";
  /** @default "pretty" */
  format?: "json" | "pretty";
  /** Extra transports (tests capture lines with a stream transport). */
  transports?: winston.transport[];
  silent?: boolean;
}

/**
 * The one root logger: JSON in production, readable locally, always redacted.
 * @example const logger = createLogger({ level: "info", format: "json" });
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format =
    options.format === "json"
      ? winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          redactFormat(),
          winston.format.timestamp({ format: "HH:mm:ss.SSS" }),
          winston.format.printf(({ level, message, timestamp, ...rest }) => {
            const fields = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
            return `${String(timestamp)} ${level.padEnd(5)} ${String(message)}${fields}`;
          }),
        );
  const root = winston.createLogger({
    level: options.level ?? "info",
    format,
    silent: options.silent ?? false,
    transports: options.transports ?? [new winston.transports.Console()],
  });
  return wrap(root);
}

function wrap(w: winston.Logger): Logger {
  return {
    debug: (message: string, fields?: LogFields) => w.debug(message, fields),
    info: (message: string, fields?: LogFields) => w.info(message, fields),
    warn: (message: string, fields?: LogFields) => w.warn(message, fields),
    error: (message: string, fields?: LogFields) => w.error(message, fields),
    child: (fields: LogFields) => wrap(w.child(fields)),
  };
}

/** A logger that keeps entries in memory, for tests that assert on what was logged. */
export function createCapturingLogger(): Logger & {
  entries: { level: string; message: string; fields: LogFields }[];
} {
  const entries: { level: string; message: string; fields: LogFields }[] = [];
  const make = (base: LogFields): Logger => {
    const at =
      (level: string) =>
      (message: string, fields: LogFields = {}) =>
        entries.push({ level, message, fields: redact({ ...base, ...fields }) as LogFields });
    return {
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return Object.assign(make({}), { entries });
}

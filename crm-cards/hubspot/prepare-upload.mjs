#!/usr/bin/env node
// Builds the HubSpot project to upload: copies this folder, adds the webhooks component from
// webhooks/hubspot-webhooks-hsmeta.json, and replaces every `$PUBLIC_URL` with Handoff's public HTTPS origin.
// Usage: PUBLIC_URL=https://handoff.example.com node crm-cards/hubspot/prepare-upload.mjs [outDir]
//        then: cd <outDir> && hs project upload
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const publicUrl = (process.env.PUBLIC_URL ?? "").replace(/\/+$/, "");
if (!/^https:\/\/[^/]+$/.test(publicUrl)) {
  console.error(
    `PUBLIC_URL must be an https origin without a path (HubSpot's permittedUrls.fetch and targetUrl need it), got "${publicUrl}"`,
  );
  process.exit(1);
}
const out = resolve(process.argv[2] ?? join(root, ".handoff", "hubspot-project"));
rmSync(out, { recursive: true, force: true });
cpSync(here, out, {
  recursive: true,
  filter: (src) => !src.includes("node_modules") && !src.endsWith("prepare-upload.mjs"),
});
mkdirSync(join(out, "src/app/webhooks"), { recursive: true });
cpSync(
  join(root, "webhooks/hubspot-webhooks-hsmeta.json"),
  join(out, "src/app/webhooks/webhooks-hsmeta.json"),
);

function substitute(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) substitute(path);
    else if (/\.(json|tsx?)$/.test(name)) {
      const text = readFileSync(path, "utf8");
      if (text.includes("$PUBLIC_URL")) writeFileSync(path, text.replaceAll("$PUBLIC_URL", publicUrl));
    }
  }
}
substitute(out);
console.log(`HubSpot project ready in ${out}; upload it with: cd ${out} && hs project upload`);

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApi } from './openapi.ts';
import { snapshotJsonSchemas } from './schemas.ts';

/** `npm run docs:generate` rewrites every generated contract; tests fail while a committed copy is stale. */
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
writeFileSync(here('./openapi.json'), renderOpenApi());
mkdirSync(here('./schemas'), { recursive: true });
for (const [name, text] of Object.entries(snapshotJsonSchemas()))
  writeFileSync(here(`./schemas/${name}`), text);
console.log('wrote docs/openapi.json and docs/schemas/*.schema.json');

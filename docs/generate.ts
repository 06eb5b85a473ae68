import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApi } from './openapi.ts';

/** `npm run openapi` rewrites docs/openapi.json; a test fails while the committed copy is stale. */
const target = fileURLToPath(new URL('./openapi.json', import.meta.url));
writeFileSync(target, renderOpenApi());
console.log(`wrote ${target}`);

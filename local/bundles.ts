import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const templateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({ Type: z.string(), Metadata: z.record(z.string(), z.unknown()).optional() }),
  ),
});

/**
 * Where `cdk synth` left each function's esbuild bundle: function name (as in shared/topology.ts) → the
 * bundle's entry file. Read from the synthesised templates, whose Lambda functions name their construct
 * path (`<stack>/<name>/Function/Resource`) and their code asset (`asset.<hash>`).
 */
export function bundledEntries(cdkOut: string): Map<string, string> {
  if (!existsSync(cdkOut)) throw new Error(`${cdkOut} does not exist: run cdk synth first`);
  const entries = new Map<string, string>();
  for (const file of readdirSync(cdkOut).filter((name) => name.endsWith('.template.json'))) {
    const template = templateSchema.parse(JSON.parse(readFileSync(join(cdkOut, file), 'utf8')));
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const path = resource.Metadata?.['aws:cdk:path'];
      const asset = resource.Metadata?.['aws:asset:path'];
      if (typeof path !== 'string' || typeof asset !== 'string') continue;
      const name = /\/([a-z0-9-]+)\/Function\/Resource$/.exec(path)?.[1];
      const entry = join(cdkOut, asset, 'index.mjs');
      if (name && existsSync(entry)) entries.set(name, entry);
    }
  }
  return entries;
}

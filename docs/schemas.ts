import { z } from 'zod';
import { latestSnapshotSchema, unitSnapshotSchema } from '../shared/schemas/snapshot.ts';

/** JSON Schemas (draft 2020-12) of the published snapshot files, generated from their zod schemas. */
export function snapshotJsonSchemas(): Record<string, string> {
  const render = (schema: z.ZodType): string =>
    `${JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }), null, 2)}\n`;
  return {
    'latest.schema.json': render(latestSnapshotSchema),
    'unit.schema.json': render(unitSnapshotSchema),
  };
}

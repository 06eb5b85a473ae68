import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RebuildCheckpoint, RebuildCheckpointPort } from '../app/rebuild.ts';

/** A rebuild's progress in `<dir>/<name>.json`, written whole through a temporary file. */
export class FileRebuildCheckpoints implements RebuildCheckpointPort {
  constructor(private readonly dir: string) {}

  private file(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  async load(name: string): Promise<RebuildCheckpoint | undefined> {
    try {
      return JSON.parse(await readFile(this.file(name), 'utf8')) as RebuildCheckpoint;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async save(name: string, checkpoint: RebuildCheckpoint): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(`${this.file(name)}.tmp`, JSON.stringify(checkpoint));
    await rename(`${this.file(name)}.tmp`, this.file(name));
  }

  async remove(name: string): Promise<void> {
    await rm(this.file(name), { force: true });
  }
}

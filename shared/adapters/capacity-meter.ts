/** Write and read units DynamoDB reported as consumed, summed; benchmarks and operators read it. */
export class CapacityMeter {
  writeUnits = 0;
  readUnits = 0;
  requests = 0;

  record(
    consumed:
      | { WriteCapacityUnits?: number; ReadCapacityUnits?: number; CapacityUnits?: number }[]
      | undefined,
    kind: 'read' | 'write',
  ): void {
    this.requests++;
    for (const entry of consumed ?? []) {
      const units =
        (kind === 'write' ? entry.WriteCapacityUnits : entry.ReadCapacityUnits) ?? entry.CapacityUnits ?? 0;
      if (kind === 'write') this.writeUnits += units;
      else this.readUnits += units;
    }
  }
}

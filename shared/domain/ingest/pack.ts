/**
 * Splits serialised items, in order, into as few groups as fit the byte limit once each group is framed as
 * `frame-prefix + items.join(',') + frame-suffix` (`frameBytes` is the frame's size). An item that cannot
 * fit even alone is a caller error: ingest limits keep every item far below it.
 */
export function packGroups(items: readonly string[], frameBytes: number, maxBytes: number): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let size = frameBytes;
  for (const item of items) {
    const itemBytes = Buffer.byteLength(item);
    if (frameBytes + itemBytes > maxBytes)
      throw new RangeError(`An item of ${itemBytes} bytes cannot fit in ${maxBytes}`);
    const separator = current.length === 0 ? 0 : 1;
    if (size + separator + itemBytes > maxBytes) {
      groups.push(current);
      current = [];
      size = frameBytes;
    }
    size += (current.length === 0 ? 0 : 1) + itemBytes;
    current.push(item);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

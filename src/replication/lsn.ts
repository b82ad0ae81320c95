/**
 * WAL positions as PostgreSQL prints them ("16/B374D848": the high and low 32
 * bits in hex), as byte offsets that compare and subtract exactly.
 */
export function lsnBytes(lsn: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(lsn.trim());
  if (!match) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** Bytes from `from` up to `to`; 0 when `from` is already at or past it. */
export function bytesBehind(from: string, to: string): number {
  const diff = lsnBytes(to) - lsnBytes(from);
  return diff > 0n ? Number(diff) : 0;
}

/**
 * Counter-based randomness for the scale seed. Every value is a pure function of
 * (seed, stream, a, b), so row k of seed S is the same whatever N and M are and in
 * whatever order rows are made; a sequential PRNG (mulberry32, sfc32) would tie
 * every row to all rows generated before it.
 *
 * The mix is a bijection on 128 bits (ChaCha quarter rounds with round constants),
 * so distinct inputs give distinct outputs: ids never collide by construction,
 * which a 32-bit PRNG state could not promise for a million UUIDs.
 */
const ROUNDS = 4;
const K = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const;

/** Four 32-bit words that look random; reused between calls so a million rows allocate nothing here. */
export class Noise {
  readonly w = new Uint32Array(4);

  /** Fills `w` from the inputs (each an unsigned 32-bit integer) and returns it. */
  of(seed: number, stream: number, a: number, b: number): Uint32Array {
    let x0 = seed >>> 0;
    let x1 = stream >>> 0;
    let x2 = a >>> 0;
    let x3 = b >>> 0;
    for (let r = 0; r < ROUNDS; r++) {
      x0 = (x0 + K[r & 3]!) | 0;
      x1 = (x1 ^ K[(r + 1) & 3]!) | 0;
      // quarter round: add, xor, rotate; each step can be undone, so the whole is a permutation
      x0 = (x0 + x1) | 0;
      x3 ^= x0;
      x3 = (x3 << 16) | (x3 >>> 16);
      x2 = (x2 + x3) | 0;
      x1 ^= x2;
      x1 = (x1 << 12) | (x1 >>> 20);
      x0 = (x0 + x1) | 0;
      x3 ^= x0;
      x3 = (x3 << 8) | (x3 >>> 24);
      x2 = (x2 + x3) | 0;
      x1 ^= x2;
      x1 = (x1 << 7) | (x1 >>> 25);
      // rotate the words so every input reaches every output
      const t = x0;
      x0 = x1;
      x1 = x2;
      x2 = x3;
      x3 = t;
    }
    this.w[0] = x0;
    this.w[1] = x1;
    this.w[2] = x2;
    this.w[3] = x3;
    return this.w;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(x: number): string {
  return HEX[(x >>> 24) & 255]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
}

/** A version-4-shaped UUID from four words (the version and variant bits are fixed). */
export function uuidOf(w: Uint32Array): string {
  const w1 = ((w[1]! & 0xffff0fff) | 0x00004000) >>> 0;
  const w2 = ((w[2]! & 0x3fffffff) | 0x80000000) >>> 0;
  const b = hex32(w1);
  const c = hex32(w2);
  return `${hex32(w[0]!)}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${hex32(w[3]!)}`;
}

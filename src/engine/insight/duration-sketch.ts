import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type JsHistogram } from 'hdr-histogram-js';

/**
 * Two significant digits: every quantile is within 1% of the value it stands for, and an encoded
 * sketch of a step's whole history stays a few hundred bytes. Durations are whole milliseconds.
 */
const SIGNIFICANT_DIGITS = 2;

function emptyHistogram(): JsHistogram {
  return build({
    // 32-bit counts: five times faster to record and decode than packed ones here; the encoding is the same.
    bitBucketSize: 32,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    useWebAssembly: false,
  }) as JsHistogram;
}

/**
 * A mergeable sketch of durations (an HDR histogram from hdr-histogram-js): what the store keeps per
 * bucket and per step, merged bucket into bucket, read as quantiles. Stored as HDR's own compressed
 * base64 encoding, which every HDR implementation reads.
 */
export class DurationSketch {
  private constructor(private readonly histogram: JsHistogram) {}

  static empty(): DurationSketch {
    return new DurationSketch(emptyHistogram());
  }

  /** The sketch an encoding holds; an absent one (null) is empty. */
  static decode(encoded: string | null | undefined): DurationSketch {
    if (!encoded) return DurationSketch.empty();
    const decoded = decodeFromCompressedBase64(encoded, 32, false) as JsHistogram;
    decoded.autoResize = true;
    return new DurationSketch(decoded);
  }

  /** Merges every sketch given (nulls are empty). */
  static mergeAll(encoded: readonly (string | null | undefined)[]): DurationSketch {
    const merged = DurationSketch.empty();
    for (const one of encoded) if (one) merged.merge(DurationSketch.decode(one));
    return merged;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  record(ms: number, count = 1): void {
    this.histogram.recordValueWithCount(Math.max(1, Math.round(ms)), count);
  }

  merge(other: DurationSketch): void {
    if (other.count > 0) this.histogram.add(other.histogram);
  }

  /** The duration at quantile `q` (0..1); 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    return this.histogram.getValueAtPercentile(Math.min(100, Math.max(0, q * 100)));
  }

  get max(): number {
    return this.count === 0 ? 0 : this.histogram.maxValue;
  }

  /** The share of recorded durations at or below `ms` (0 when empty). */
  fractionAtOrBelow(ms: number): number {
    const total = this.count;
    if (total === 0) return 0;
    const value = Math.max(1, Math.round(ms));
    if (value >= this.histogram.maxValue) return 1;
    const last = this.histogram.countsArrayIndex(value);
    let below = 0;
    for (let index = 0; index <= last; index++) below += this.histogram.getCountAtIndex(index);
    return below / total;
  }

  encode(): string {
    return encodeIntoCompressedBase64(this.histogram);
  }
}

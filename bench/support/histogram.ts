import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';

const hdr = createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr;

/** A latency histogram in microseconds (1 µs … 10 min, 3 significant digits). */
export function latencyHistogram(): Hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

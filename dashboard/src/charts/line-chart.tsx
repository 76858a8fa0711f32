import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LineSeries {
  label: string;
  color: string;
}

/**
 * A uPlot line chart: `data[0]` is the x axis (seconds since the epoch for time axes, or plain numbers
 * with `time={false}`), then one array per series. The chart is made once and given new data in place.
 */
export function LineChart({
  title,
  description,
  series,
  data,
  time = true,
  height = 220,
  yRange,
}: {
  title: string;
  /** What the values are (per minute, ms…), shown under the title. */
  description?: string;
  series: LineSeries[];
  data: uPlot.AlignedData;
  time?: boolean;
  height?: number;
  /** A fixed y range (e.g. 0–100 for a percentage); automatic when omitted. */
  yRange?: [number, number];
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const shape = `${time}:${yRange?.join('-')}:${series.map((line) => line.label).join('|')}`;

  // biome-ignore lint/correctness/useExhaustiveDependencies: deliberately keyed on `shape` (the axis kind, y range and series labels, by value) and `height`, not on `series`/`yRange`/`data`: callers pass new arrays on every render, and the chart is to be built once per shape, not destroyed and redrawn on each render; new data reaches the built chart through setData below.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 300),
      height,
      scales: {
        x: { time },
        ...(yRange ? { y: { range: yRange } } : {}),
      },
      // Points as well as lines: the first minute is one point, and a line needs two.
      series: [
        { label: time ? 'Time' : 'Index' },
        ...series.map((line) => ({ label: line.label, stroke: line.color, width: 2, points: { show: true, size: 6 } })),
      ],
      legend: { live: false },
    };
    const plot = new uPlot(options, data, element);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 300), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  const points = data[0]?.length ?? 0;
  // How many plotted values are neither missing nor zero: what a test (or a glance) needs to know the chart has data.
  const values = data
    .slice(1)
    .reduce(
      (count, line) =>
        count +
        (line as (number | null | undefined)[]).filter((value) => value !== null && value !== undefined && value !== 0)
          .length,
      0,
    );
  return (
    <figure className="chart" data-testid={`chart-${title}`} data-points={points} data-values={values}>
      <figcaption>
        {title}
        {description ? <small className="chart-note"> {description}</small> : null}
      </figcaption>
      <div ref={container} role="img" aria-label={`${title}: ${points} point(s)`} />
    </figure>
  );
}

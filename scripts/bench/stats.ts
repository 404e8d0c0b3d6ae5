// What one benchmark figure is: its samples, summarised as median and spread (min–max), so a
// reader can see at once whether a figure is stable enough to compare with another.

export interface Figure {
  /** Stable key for the --json report, e.g. "emulation.qemu.perCompile". */
  id: string;
  label: string;
  unit: "s" | "ms";
  samples: number[];
  median: number;
  min: number;
  max: number;
  note?: string;
}

/** A ratio of two figures' medians (numerator / denominator), e.g. QEMU time / native time. */
export interface Ratio {
  id: string;
  label: string;
  value: number;
  numerator: string;
  denominator: string;
}

/** A goal checked against a figure's median. */
export interface Goal {
  id: string;
  label: string;
  figure: string;
  limit: number;
  unit: "s" | "ms";
  met: boolean;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function figure(id: string, label: string, unit: Figure["unit"], samples: number[], note?: string): Figure {
  return {
    id, label, unit, samples,
    median: median(samples),
    min: samples.length ? Math.min(...samples) : NaN,
    max: samples.length ? Math.max(...samples) : NaN,
    ...(note ? { note } : {}),
  };
}

export function ratio(id: string, label: string, numerator: Figure, denominator: Figure): Ratio {
  return { id, label, value: numerator.median / denominator.median, numerator: numerator.id, denominator: denominator.id };
}

export function goal(id: string, label: string, of: Figure, limit: number): Goal {
  return { id, label, figure: of.id, limit, unit: of.unit, met: of.median <= limit };
}

/** "1.23 s" / "456 ms", with precision that suits the size of the number. */
export function formatValue(value: number, unit: Figure["unit"]): string {
  if (!Number.isFinite(value)) return "n/a";
  if (unit === "ms") return `${Math.round(value)} ms`;
  const digits = value < 1 ? 3 : value < 10 ? 2 : 1;
  return `${value.toFixed(digits)} s`;
}

/** Relative spread (max − min) / median: above ~10% a figure should be rerun on a quieter machine. */
export function relativeSpread(f: Figure): number {
  return f.median > 0 ? (f.max - f.min) / f.median : NaN;
}

// A single self-overwriting stderr line; stdout stays clean for machine-readable output.
export interface Progress {
  update(bytes: number): void;
  done(): void;
}

const silent: Progress = { update() {}, done() {} };

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

export function progressBar(label: string, total: number | undefined, enabled: boolean): Progress {
  if (!enabled) return silent;
  const stream = process.stderr;
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(bytes) {
      const now = Date.now();
      // Redrawing on every chunk would cost more than the download on a fast link.
      if (now - last < 100) return;
      last = now;
      const rate = bytes / Math.max(0.001, (now - started) / 1000);
      let text: string;
      if (total && total > 0) {
        const frac = Math.min(1, bytes / total);
        const width = 24;
        const full = Math.round(frac * width);
        text = `${label} [${"#".repeat(full)}${".".repeat(width - full)}] ${(frac * 100).toFixed(0)}% ${mb(bytes)}/${mb(total)} MB`;
      } else {
        text = `${label} ${mb(bytes)} MB`;
      }
      stream.write(`\r\x1b[K${text} ${mb(rate)} MB/s`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}

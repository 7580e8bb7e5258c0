/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN for none. */
export const percentile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
export const millis = (ms: number): string => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
export const mib = (bytes: number): string => `${(bytes / 1_048_576).toFixed(0)} MiB`;
/** The one of `samples` (at least one) that took least, by `ms` of each: the machine is shared, see settings.repeats. */
export const fastest = <T>(samples: readonly T[], ms: (sample: T) => number): T =>
  samples.reduce((best, sample) => (ms(sample) < ms(best) ? sample : best));
/** Every sample's time, in the order taken. */
export const timesOf = <T>(samples: readonly T[], ms: (sample: T) => number): string =>
  samples.map((sample) => seconds(ms(sample))).join(', ');
export const elapsedMs = (since: number): number => performance.now() - since;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`'s value, or undefined if it takes longer than `ms` (the timer is cleared either way). */
export const within = async <T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
};

/** A size for people: KiB below a MiB. */
export const bytes = (count: number): string =>
  count < 1_048_576 ? `${(count / 1024).toFixed(1)} KiB` : `${(count / 1_048_576).toFixed(1)} MiB`;

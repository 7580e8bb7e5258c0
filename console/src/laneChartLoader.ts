import { useEffect, useState } from 'preact/hooks';
import type { laneChart } from './timelineChart.js';

export type LaneChart = typeof laneChart;

/**
 * Plot and the d3 modules it draws with are half the console's script: they are loaded when a
 * timeline is first shown, not with the console. The page is mounted at once (so a click on another
 * page meanwhile is not undone when they arrive) and its lanes are drawn once they have.
 */
let chartLoading: Promise<LaneChart> | undefined;
let chartLoaded: LaneChart | undefined;

const loadChart = (): Promise<LaneChart> =>
  (chartLoading ??= import('./timelineChart.js').then(
    (module) => (chartLoaded = module.laneChart),
    (error: unknown) => {
      chartLoading = undefined; // the next timeline shown tries again
      throw error;
    },
  ));

/** The lane chart once loaded, or why it could not be (for a chunk gone after a redeploy, say). */
export const useLaneChart = (): { chart?: LaneChart; failure?: unknown } => {
  const [loaded, setLoaded] = useState<{ chart?: LaneChart; failure?: unknown }>({ chart: chartLoaded });
  useEffect(() => {
    if (loaded.chart) return;
    let mounted = true;
    loadChart().then(
      (chart) => mounted && setLoaded({ chart }),
      (failure: unknown) => mounted && setLoaded({ failure }),
    );
    return () => (mounted = false);
  }, []);
  return loaded;
};

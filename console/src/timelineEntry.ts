/** An outcome on the progress timeline, as /v1/timeline gives it. */
export type Entry = {
  outcomeId: string;
  meetingId: string;
  theatre: string;
  stage: string;
  summary: string;
  date: string;
  regression: boolean;
  corrected: boolean;
};

/** A business date (YYYY-MM-DD) as the instant its UTC day starts. */
export const dayOf = (date: string): Date => new Date(`${date}T00:00:00Z`);

import { z } from 'zod';
import { ulidString } from '../domain/shared/values.js';

/** `/v1/meetings/:id`: a ULID, nothing else reaches the store. */
export const meetingParams = z.strictObject({ id: ulidString });

/** `/v1/meetings/:id/outcomes/:outcomeId/...`: both ULIDs. */
export const outcomeParams = z.strictObject({ id: ulidString, outcomeId: ulidString });

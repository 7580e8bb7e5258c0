import { z } from 'zod';
import { participantKind } from '../shared/values.js';

export const memberEventSchemas = {
  MemberAdmitted: z.object({ memberId: z.string(), name: z.string(), kind: participantKind }),
} as const;

export type MemberEvent = { type: 'MemberAdmitted'; data: z.infer<(typeof memberEventSchemas)['MemberAdmitted']> };

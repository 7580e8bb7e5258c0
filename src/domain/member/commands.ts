import { z } from 'zod';
import { participantKind, slug, text } from '../shared/values.js';

export const admitMemberInput = z.strictObject({ memberId: slug, name: text(200), kind: participantKind });

export type MemberCommand = { type: 'AdmitMember'; data: z.infer<typeof admitMemberInput> };

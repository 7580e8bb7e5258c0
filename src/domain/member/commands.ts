import { z } from 'zod';
import { participantKind, slug, text } from '../shared/values.js';

/** AdmitMember as a client sends it; `nameLength` is the configured `name` limit (LEDGER_LIMITS). */
export const admitMemberInputWith = (nameLength: number) =>
  z.strictObject({ memberId: slug, name: text(nameLength), kind: participantKind });

export const admitMemberInput = admitMemberInputWith(200);

export type MemberCommand = { type: 'AdmitMember'; data: z.infer<typeof admitMemberInput> };

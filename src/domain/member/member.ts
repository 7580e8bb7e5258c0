import type { MemberCommand } from './commands.js';
import type { MemberEvent } from './events.js';

export type Member =
  { status: 'none' } | { status: 'admitted'; memberId: string; name: string; kind: 'state' | 'organization' };

export const initialMember = (): Member => ({ status: 'none' });

export const evolveMember = (_state: Member, event: MemberEvent): Member => ({
  status: 'admitted',
  ...event.data,
});

export const decideMember = (command: MemberCommand, state: Member): MemberEvent[] => {
  // Admission is a standing fact: admitting again changes nothing and says so by appending nothing.
  if (state.status === 'admitted') return [];
  const { memberId, name, kind } = command.data;
  return [{ type: 'MemberAdmitted', data: { memberId, name, kind } }];
};

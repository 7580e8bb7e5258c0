import { describe, expect, it } from 'vitest';
import { admitMemberInput } from '../../src/domain/member/commands.js';
import type { MemberCommand } from '../../src/domain/member/commands.js';
import type { MemberEvent } from '../../src/domain/member/events.js';
import { givenMember } from './smallGroupMeeting.js';

const admitIraq: MemberCommand = {
  type: 'AdmitMember',
  data: { memberId: 'iraq', name: 'Republic of Iraq', kind: 'state' },
};
const iraqAdmitted: MemberEvent = {
  type: 'MemberAdmitted',
  data: { memberId: 'iraq', name: 'Republic of Iraq', kind: 'state' },
};

describe('AdmitMember', () => {
  it('admits a state to the Coalition', () => {
    givenMember([]).when(admitIraq).then([iraqAdmitted]);
  });

  it('admits an organization to the Coalition', () => {
    givenMember([])
      .when({ type: 'AdmitMember', data: { memberId: 'interpol', name: 'INTERPOL', kind: 'organization' } })
      .then([{ type: 'MemberAdmitted', data: { memberId: 'interpol', name: 'INTERPOL', kind: 'organization' } }]);
  });

  it('changes nothing when a member is admitted twice', () => {
    givenMember([iraqAdmitted]).when(admitIraq).thenNothingHappens();
  });

  it('changes nothing when an admitted member is admitted again under another name', () => {
    givenMember([iraqAdmitted])
      .when({ type: 'AdmitMember', data: { memberId: 'iraq', name: 'Iraq', kind: 'state' } })
      .thenNothingHappens();
  });

  it('folds the admission into an admitted member', () => {
    expect(givenMember([iraqAdmitted]).state).toEqual({
      status: 'admitted',
      memberId: 'iraq',
      name: 'Republic of Iraq',
      kind: 'state',
    });
  });
});

describe('admitMemberInput', () => {
  const valid = { memberId: 'united-kingdom', name: 'United Kingdom', kind: 'state' };

  it('accepts a member with a slug id, a name and a kind', () => {
    expect(admitMemberInput.parse(valid)).toEqual(valid);
  });

  it('rejects an unknown field', () => {
    expect(admitMemberInput.safeParse({ ...valid, joinedOn: '2014-09-10' }).success).toBe(false);
  });

  it.each(['United-Kingdom', 'united kingdom', 'united_kingdom', '-uk', 'uk-', 'united--kingdom', ''])(
    'rejects the member id %j',
    (memberId) => {
      expect(admitMemberInput.safeParse({ ...valid, memberId }).success).toBe(false);
    },
  );

  it('rejects a kind other than state or organization', () => {
    expect(admitMemberInput.safeParse({ ...valid, kind: 'militia' }).success).toBe(false);
  });

  it.each(['', '   ', 'United\u0000Kingdom', 'United \uD800Kingdom'])('rejects the name %j', (name) => {
    expect(admitMemberInput.safeParse({ ...valid, name }).success).toBe(false);
  });

  it('rejects a name longer than 200 characters', () => {
    expect(admitMemberInput.safeParse({ ...valid, name: 'x'.repeat(201) }).success).toBe(false);
    expect(admitMemberInput.safeParse({ ...valid, name: 'x'.repeat(200) }).success).toBe(true);
  });

  it('rejects a missing field', () => {
    expect(admitMemberInput.safeParse({ memberId: 'iraq', kind: 'state' }).success).toBe(false);
  });
});

import autocannon from 'autocannon';
import { encodeTime } from 'ulid';

/**
 * The command load every bench sends: new meetings, invitations, attendance and outcomes over 200
 * meetings (10% schedule / 25% invite / 40% attendance / 25% outcome). Shared by the commands bench
 * and the scale bench so that their throughputs compare.
 */
export const MEETINGS = 200;
export const MIX = '10% schedule / 25% invite / 40% attendance / 25% outcome';
const members = Array.from({ length: 40 }, (_, i) => `member-${i}`);
const observers = Array.from({ length: 60 }, (_, i) => `observer-${i}`);
const meetingIds = Array.from(
  { length: MEETINGS },
  (_, i) => `${encodeTime(Date.UTC(2017, 6, 11) + i * 60_000, 10)}BENCH${String(i).padStart(11, '0')}`,
);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

const meetingBody = (meetingId?: string) => ({
  ...(meetingId && { meetingId }),
  title: 'Working Group on Counter Finance',
  forum: 'working-group/counter-finance',
  startsAt: '2017-07-11T09:00:00-04:00',
  endsAt: '2017-07-11T17:00:00-04:00',
  location: 'Washington, D.C.',
  agenda: [{ itemId: 'assess-campaign', title: 'Assess the campaign' }],
});

/** One command of the mix, drawn at random. */
export const nextCommand = (): { path: string; body: unknown } => {
  const roll = Math.random();
  const meeting = `/v1/meetings/${pick(meetingIds)}`;
  if (roll < 0.1) return { path: '/v1/meetings', body: meetingBody() };
  if (roll < 0.35) {
    const observerId = pick(observers);
    return { path: `${meeting}/observers`, body: { observerId, name: `Observer ${observerId}`, kind: 'organization' } };
  }
  if (roll < 0.75)
    return {
      path: `${meeting}/attendance`,
      body: { participantId: pick(members), status: pick(['present', 'absent']) },
    };
  return {
    path: `${meeting}/outcomes`,
    body: {
      kind: 'assessment',
      summary: 'Mosul is on the verge of liberation',
      theatre: 'mosul',
      stage: 'verge-of-liberation',
      agendaItemId: 'assess-campaign',
    },
  };
};

/** Answers that mean "not now" (overloaded, store away, too much contention): setup waits them out. */
const TRANSIENT = new Set([409, 503]);

/**
 * One setup command under its key; false if it was still refused as transient at `retryUntil`. A
 * transient refusal is retried after its Retry-After (1 s without one): setup is not what is
 * measured, and a server shedding load (503 while its event loop lags) is for the load to show.
 */
const post = async (baseUrl: string, token: string, command: SetupCommand, retryUntil: number): Promise<boolean> => {
  for (;;) {
    const response = await fetch(`${baseUrl}${command.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': command.key },
      body: JSON.stringify(command.body),
    });
    const text = await response.text();
    if (response.status < 300) return true;
    if (!TRANSIENT.has(response.status)) throw new Error(`${command.path}: ${response.status} ${text}`);
    if (performance.now() >= retryUntil) return false;
    const wait = Number(response.headers.get('retry-after') ?? 1) * 1000 || 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 10_000)));
  }
};

type SetupCommand = { path: string; key: string; body: unknown };

/** How many commands `prepareMix` sends. */
export const SETUP_COMMANDS = members.length + meetingIds.length;

/**
 * Admits the members and schedules the meetings the mix works on. Each under its own
 * Idempotency-Key, so preparing a ledger that was prepared before (a restarted server) changes
 * nothing. Transient refusals (409, 503) are retried for up to `retryForMs`, then each remaining
 * command is tried once; resolves to how many were still refused (a refusal of another kind throws).
 */
export const prepareMix = async (baseUrl: string, token: string, retryForMs = 60_000): Promise<number> => {
  const retryUntil = performance.now() + retryForMs;
  const commands: SetupCommand[] = [
    ...members.map((id) => ({
      path: '/v1/members',
      key: `bench-member-${id}`,
      body: { memberId: id, name: id, kind: 'state' },
    })),
    ...meetingIds.map((id) => ({ path: '/v1/meetings', key: `bench-meeting-${id}`, body: meetingBody(id) })),
  ];
  let refused = 0;
  for (const command of commands) if (!(await post(baseUrl, token, command, retryUntil))) refused += 1;
  return refused;
};

export type Load = { stop: () => void; done: Promise<autocannon.Result> };

/** Sends the mix at `connections` for `seconds` (or until stopped); `done` resolves with autocannon's result. */
export const loadMix = (baseUrl: string, token: string, connections: number, seconds: number): Load => {
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: baseUrl,
        connections,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            setupRequest: (request) => {
              const { path, body } = nextCommand();
              return { ...request, path, body: JSON.stringify(body) };
            },
          },
        ],
      },
      (error: unknown, result) => {
        if (error) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        else resolve(result);
      },
    );
  });
  return { stop: () => instance?.stop(), done };
};

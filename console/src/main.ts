// First, before any module builds a zod schema: the CSP forbids eval (see zodWithoutEval.ts).
import './zodWithoutEval.js';
import { agendaPage } from './agenda.js';
import { ApiRefusal, api, useSession, type Session, type SignedIn } from './api.js';
import { attendancePage } from './attendance.js';
import { auditPage } from './audit.js';
import { h, show } from './dom.js';
import { formsPage } from './forms.js';
import { linkedPage } from './links.js';
import { startLive, stopLive } from './live.js';
import { meetingPage } from './meeting.js';
import { signInPage } from './signIn.js';
import { timelinePage } from './timeline.js';

const main = document.getElementById('main') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
const nav = document.getElementById('pages') as HTMLElement;

const signedOut = (): void => {
  stopLive();
  show(who);
  show(nav);
  signInPage(main, signedIn);
};

/** Whether the signed-in role may audit: the Audit page and the meeting page's proof links. */
let canAudit = false;

const signedIn = (session: SignedIn): void => {
  const signOut = h('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => void api('DELETE', '/console/session').then(signedOut));
  show(who, `Signed in as ${session.actor} `, signOut);
  useSession(session);
  startLive();
  canAudit = session.role === 'secretariat' || session.role === 'auditor';
  const pages = {
    Agenda: agendaPage,
    Timeline: timelinePage,
    Attendance: attendancePage,
    ...(canAudit && { Audit: auditPage }),
    // Only the secretariat writes: other roles get no forms (and the ledger would refuse them anyway).
    ...(session.role === 'secretariat' && { Forms: formsPage }),
  };
  show(
    nav,
    ...Object.entries(pages).map(([name, open]) => {
      const button = h('button', { type: 'button' }, name);
      button.addEventListener('click', () => {
        // Leaving a linked page: clear its hash, so following the same link again opens it again.
        if (location.hash) history.pushState(null, '', location.pathname);
        void open(main).catch(failed);
      });
      return button;
    }),
  );
  openLinked(() => agendaPage(main));
};

/** The page the location hash links to (a meeting, an event's audit), else `otherwise`. */
const openLinked = (otherwise: () => Promise<void>): void => {
  const linked = linkedPage(location.hash);
  if (linked === undefined) return void otherwise().catch(failed);
  const opened =
    linked.page === 'meeting' ? meetingPage(main, linked.meetingId, canAudit) : auditPage(main, linked.position);
  opened.catch(failed);
};
window.addEventListener('hashchange', () => openLinked(() => agendaPage(main)));

/** A session that ended (expired, token revoked) leads back to the sign-in; anything else is shown. */
const failed = (error: unknown): void => {
  if (error instanceof ApiRefusal && error.status === 401) return signedOut();
  show(main, h('p', { role: 'alert' }, `The ledger could not answer: ${String(error)}`));
};

api<Session>('GET', '/console/session').then((session) => (session.signedIn ? signedIn(session) : signedOut()), failed);

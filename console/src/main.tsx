// First, before any module builds a zod schema: the CSP forbids eval (see zodWithoutEval.ts).
import './zodWithoutEval.js';
import { render } from 'preact';
import { agendaPage } from './agenda.js';
import { api, useSession, type Session, type SignedIn } from './api.js';
import { attendancePage } from './attendance.js';
import { auditPage } from './audit.js';
import { mount } from './dom.js';
import { lostSession, reasonOf } from './failure.js';
import { formsPage } from './forms.js';
import { linkedPage } from './links.js';
import { startLive, stopLive } from './live.js';
import { meetingPage } from './meeting.js';
import { signInPage } from './signIn.js';
import { timelinePage } from './timeline.js';

const main = document.getElementById('main') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
const nav = document.getElementById('pages') as HTMLElement;

type Open = (main: HTMLElement) => Promise<void>;
type PageName = 'Agenda' | 'Timeline' | 'Attendance' | 'Audit' | 'Forms';

/** The pages the signed-in role may open, in the navigation's order. */
let pages: Partial<Record<PageName, Open>> = {};

/** The navigation: one button a page, the page shown marked as the current one. */
const Pages = ({ shown }: { shown: PageName | undefined }) => (
  <>
    {Object.entries(pages).map(([name, open]) => (
      <button
        key={name}
        type="button"
        aria-current={name === shown ? 'page' : undefined}
        onClick={() => {
          // Leaving a linked page: clear its hash, so following the same link again opens it again.
          if (location.hash) history.pushState(null, '', location.pathname);
          showPage(name as PageName, () => open(main));
        }}
      >
        {name}
      </button>
    ))}
  </>
);

/** Opens a page and marks it in the navigation (`undefined`: a page the navigation has no button for). */
const showPage = (name: PageName | undefined, open: () => Promise<void>): void => {
  render(<Pages shown={name} />, nav);
  open().catch(failed);
};

const signedOut = (): void => {
  stopLive();
  pages = {};
  render(null, who);
  render(null, nav);
  signInPage(main, signedIn);
};

/** Whether the signed-in role may audit: the Audit page and the meeting page's proof links. */
let canAudit = false;

const signedIn = (session: SignedIn): void => {
  render(
    <>
      {`Signed in as ${session.actor} `}
      <button type="button" id="sign-out" onClick={() => void api('DELETE', '/console/session').then(signedOut)}>
        Sign out
      </button>
    </>,
    who,
  );
  useSession(session);
  startLive();
  canAudit = session.role === 'secretariat' || session.role === 'auditor';
  pages = {
    Agenda: agendaPage,
    Timeline: timelinePage,
    Attendance: attendancePage,
    ...(canAudit && { Audit: auditPage }),
    // Only the secretariat writes: other roles get no forms (and the ledger would refuse them anyway).
    ...(session.role === 'secretariat' && { Forms: formsPage }),
  };
  openLinked();
};

/** The page the location hash links to (a meeting, an event's audit), else the agenda. */
const openLinked = (): void => {
  const linked = linkedPage(location.hash);
  if (linked === undefined) return showPage('Agenda', () => agendaPage(main));
  if (linked.page === 'meeting') return showPage(undefined, () => meetingPage(main, linked.meetingId, canAudit));
  showPage('Audit', () => auditPage(main, linked.position));
};
window.addEventListener('hashchange', openLinked);

/** A session that ended (expired, token revoked) leads back to the sign-in; anything else is shown. */
const failed = (error: unknown): void => {
  if (lostSession(error)) return signedOut();
  mount(main, <p role="alert">{`The ledger could not answer: ${reasonOf(error)}`}</p>);
};

api<Session>('GET', '/console/session').then((session) => (session.signedIn ? signedIn(session) : signedOut()), failed);

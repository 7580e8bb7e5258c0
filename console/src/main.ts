// First, before any module builds a zod schema: the CSP forbids eval (see zodWithoutEval.ts).
import './zodWithoutEval.js';
import { agendaPage } from './agenda.js';
import { ApiRefusal, api, useSession, type Session, type SignedIn } from './api.js';
import { h, show } from './dom.js';
import { formsPage } from './forms.js';
import { startLive, stopLive } from './live.js';
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

const signedIn = (session: SignedIn): void => {
  const signOut = h('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => void api('DELETE', '/console/session').then(signedOut));
  show(who, `Signed in as ${session.actor} `, signOut);
  useSession(session);
  startLive();
  // Only the secretariat writes: other roles get no forms (and the ledger would refuse them anyway).
  const pages = {
    Agenda: agendaPage,
    Timeline: timelinePage,
    ...(session.role === 'secretariat' && { Forms: formsPage }),
  };
  show(
    nav,
    ...Object.entries(pages).map(([name, open]) => {
      const button = h('button', { type: 'button' }, name);
      button.addEventListener('click', () => void open(main).catch(failed));
      return button;
    }),
  );
  agendaPage(main).catch(failed);
};

/** A session that ended (expired, token revoked) leads back to the sign-in; anything else is shown. */
const failed = (error: unknown): void => {
  if (error instanceof ApiRefusal && error.status === 401) return signedOut();
  show(main, h('p', { role: 'alert' }, `The ledger could not answer: ${String(error)}`));
};

api<Session>('GET', '/console/session').then((session) => (session.signedIn ? signedIn(session) : signedOut()), failed);

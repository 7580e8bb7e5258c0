import { ApiRefusal, api, type SignedIn } from './api.js';
import { h, show } from './dom.js';

/** The sign-in form: the token goes to the ledger once and is then dropped from the page. */
export const signInPage = (main: HTMLElement, onSignedIn: (who: SignedIn) => void): void => {
  const token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  const message = h('p', { id: 'sign-in-message', role: 'alert' });
  const form = h(
    'form',
    { id: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h2', { id: 'sign-in-title' }, 'Sign in'),
    h('label', { for: 'token' }, 'API token'),
    token,
    h('button', { type: 'submit' }, 'Sign in'),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    message.textContent = '';
    const given = token.value;
    token.value = '';
    api<SignedIn>('POST', '/console/session', { token: given }).then(onSignedIn, (error: unknown) => {
      message.textContent =
        error instanceof ApiRefusal && error.status === 401
          ? 'This token is not known to the ledger.'
          : `Could not sign in: ${error instanceof Error ? error.message : String(error)}`;
    });
  });
  show(main, form);
  token.focus();
};

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiRefusal, api, type SignedIn } from './api.js';
import { mount } from './dom.js';
import { reasonOf } from './failure.js';

/** The sign-in form: the token goes to the ledger once and is then dropped from the page. */
const SignIn = ({ onSignedIn }: { onSignedIn: (who: SignedIn) => void }) => {
  const token = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState('');
  useEffect(() => token.current?.focus(), []);
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setMessage('');
    const given = token.current?.value ?? '';
    if (token.current) token.current.value = '';
    api<SignedIn>('POST', '/console/session', { token: given }).then(onSignedIn, (error: unknown) =>
      setMessage(
        error instanceof ApiRefusal && error.status === 401
          ? 'This token is not known to the ledger.'
          : `Could not sign in: ${reasonOf(error)}`,
      ),
    );
  };
  return (
    <form id="sign-in" aria-labelledby="sign-in-title" onSubmit={submit}>
      <h2 id="sign-in-title">Sign in</h2>
      <label for="token">API token</label>
      <input ref={token} id="token" name="token" type="password" autocomplete="off" required />
      <button type="submit">Sign in</button>
      <p id="sign-in-message" role="alert">
        {message}
      </p>
    </form>
  );
};

export const signInPage = (main: HTMLElement, onSignedIn: (who: SignedIn) => void): void => {
  mount(main, <SignIn onSignedIn={onSignedIn} />);
};

import type { ComponentChild } from 'preact';
import type { LiveRead } from './live.js';

type Props<T> = { id: string; read: LiveRead<T>; loading: string; draw: (data: T) => ComponentChild };

/** A page's section showing a live read: why it failed, that it is loading, or `draw` of the answer. */
export const LiveSection = <T,>({ id, read, loading, draw }: Props<T>) => (
  <section id={id} aria-busy={read.busy ? 'true' : 'false'}>
    {read.failure ? <p role="alert">{read.failure}</p> : read.data === undefined ? <p>{loading}</p> : draw(read.data)}
  </section>
);

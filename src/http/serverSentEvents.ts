/**
 * Frames of a server-sent event stream (WHATWG HTML, "Server-sent events"), built so that no value
 * can end a field or a frame early: a line break in a field would let a stored value write fields
 * of its own (`id: 999999`, `data: {"forged":true}`). Every value is checked here, in the one place
 * frames are built, and refused rather than sent: a refusal ends the stream, a forged frame would be
 * believed. NUL is refused too, since a browser ignores an `id` holding one.
 */
export class UnsafeEventField extends Error {}

const UNSAFE = /[\r\n\0]/;

const line = (name: 'id' | 'event' | 'data', value: string): string => {
  if (UNSAFE.test(value)) {
    throw new UnsafeEventField(
      `A server-sent event's ${name} may not hold a line break or NUL: ${JSON.stringify(value)}`,
    );
  }
  return `${name}: ${value}\n`;
};

/** One event: `data` is one line (JSON text, which escapes CR and LF); `event` only for a named frame. */
export const eventFrame = ({ id, event, data }: { id?: string; event?: string; data: string }): string =>
  `${id === undefined ? '' : line('id', id)}${event === undefined ? '' : line('event', event)}${line('data', data)}\n`;

/** A comment frame (`: text`), which an EventSource ignores: heartbeats and progress marks. */
export const commentFrame = (text: string): string => {
  if (UNSAFE.test(text)) throw new UnsafeEventField(`A comment may not hold a line break: ${JSON.stringify(text)}`);
  return `: ${text}\n\n`;
};

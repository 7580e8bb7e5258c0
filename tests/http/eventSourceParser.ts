/** What an EventSource dispatches: `type` is 'message' for an unnamed frame, which is what onmessage receives. */
export type DispatchedEvent = { type: string; data: string; lastEventId: string };

/**
 * The event-stream interpretation of WHATWG HTML ("Server-sent events", 9.2.6), as a browser's
 * EventSource runs it: lines end in CRLF, LF or CR; a blank line dispatches the event; `data` lines
 * join with LF; an `id` holding NUL is ignored; an event with no data is not dispatched. Written here
 * rather than trusting the server's own idea of a frame, so a test sees what a browser would.
 */
export const interpretEventStream = (text: string): DispatchedEvent[] => {
  const dispatched: DispatchedEvent[] = [];
  let data = '';
  let type = '';
  let lastEventId = '';
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // A stream that ends mid-line leaves that line unprocessed, as the spec says for the end of the stream.
  const lines = body.split(/\r\n|\r|\n/);
  lines.pop();
  for (const line of lines) {
    if (line === '') {
      if (data !== '') dispatched.push({ type: type || 'message', data: data.replace(/\n$/, ''), lastEventId });
      data = '';
      type = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') type = value;
    else if (name === 'data') data += `${value}\n`;
    else if (name === 'id' && !value.includes('\0')) lastEventId = value;
  }
  return dispatched;
};

/** The events `EventSource.onmessage` would receive. */
export const onmessage = (text: string): DispatchedEvent[] =>
  interpretEventStream(text).filter((event) => event.type === 'message');

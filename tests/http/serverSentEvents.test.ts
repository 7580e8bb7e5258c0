import { describe, expect, it } from 'vitest';
import { commentFrame, eventFrame, UnsafeEventField } from '../../src/http/serverSentEvents.js';
import { interpretEventStream } from './eventSourceParser.js';

describe('server-sent event frames', () => {
  it('writes an unnamed event an EventSource dispatches as a message with its id', () => {
    const frame = eventFrame({ id: '7', data: '{"type":"MeetingClosed"}' });
    expect(frame).toBe('id: 7\ndata: {"type":"MeetingClosed"}\n\n');
    expect(interpretEventStream(frame)).toEqual([
      { type: 'message', data: '{"type":"MeetingClosed"}', lastEventId: '7' },
    ]);
  });

  it('writes a named event when given a name', () => {
    expect(interpretEventStream(eventFrame({ id: '8', event: 'MeetingClosed', data: '{}' }))).toEqual([
      { type: 'MeetingClosed', data: '{}', lastEventId: '8' },
    ]);
  });

  it('refuses a line break or NUL in any field, so no value can write fields of its own', () => {
    for (const bad of ['a\nid: 999999', 'a\rdata: {}', 'a\r\n', 'a\0']) {
      expect(() => eventFrame({ id: bad, data: '{}' })).toThrow(UnsafeEventField);
      expect(() => eventFrame({ id: '1', event: bad, data: '{}' })).toThrow(UnsafeEventField);
      expect(() => eventFrame({ id: '1', data: bad })).toThrow(UnsafeEventField);
      expect(() => commentFrame(bad)).toThrow(UnsafeEventField);
    }
  });
});

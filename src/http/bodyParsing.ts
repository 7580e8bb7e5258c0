import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problem.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const unsupported = (detail: string) => new HttpProblem(415, 'unsupported-media-type', 'The body must be JSON', detail);

/**
 * Bodies are UTF-8 JSON and nothing else: fastify's text/plain parser is removed, a declared charset
 * other than UTF-8 or a compressed body is refused with 415 rather than misread, and an empty JSON
 * body counts as no body (a POST /close with a content-type but nothing to say).
 */
export const registerJsonBodies = (app: FastifyInstance): void => {
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      // Fatal decoding: bytes that are not UTF-8 are refused, never stored as replacement characters.
      text = utf8.decode(typeof body === 'string' ? Buffer.from(body) : body);
    } catch {
      return done(new HttpProblem(400, 'invalid-json', 'The body is not valid JSON', 'The body is not valid UTF-8'));
    }
    if (text === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
  app.addHook('preParsing', async (request) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      throw unsupported(`Content-Encoding ${encoding} is not accepted; send the JSON uncompressed`);
    }
    const charset = /;\s*charset=("?)([^";\s]+)\1/i.exec(request.headers['content-type'] ?? '')?.[2];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      throw unsupported(`charset ${charset} is not accepted; send UTF-8`);
    }
  });
  // A command with no body (POST /close) is the same as one with an empty object.
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body === undefined) request.body = {};
  });
};

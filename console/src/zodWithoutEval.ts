import { z } from 'zod';

// The console's CSP forbids eval. zod compiles fast parsers with `new Function` when it may, and its
// probe for that (made when a schema is built) is reported as a CSP violation even though zod catches
// it. Imported first by main.ts (and by every module that builds schemas, so the order is said where it
// matters), this keeps zod to its plain parsers and the page quiet.
z.config({ jitless: true });

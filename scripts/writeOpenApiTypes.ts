import { readFileSync, writeFileSync } from 'node:fs';
import { clientTypesOf } from '../tests/http/openapiTypes.js';

/** Regenerates tests/http/openapi.generated.d.ts from an OpenAPI document written by writeOpenApi.ts. */
const [source = 'dist/openapi.json', target = 'tests/http/openapi.generated.d.ts'] = process.argv.slice(2);
writeFileSync(target, await clientTypesOf(JSON.parse(readFileSync(source, 'utf8'))));

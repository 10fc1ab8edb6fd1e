// Writes docs/configuration.md, config.yml.example and secrets.yml.example from the zod schemas.
import { writeFileSync } from 'node:fs';
import { renderConfigExample, renderConfigReference } from '../src/config/render-config-reference';

const root = new URL('../../../', import.meta.url);
writeFileSync(new URL('docs/configuration.md', root), renderConfigReference());
writeFileSync(new URL('config.yml.example', root), renderConfigExample('config'));
writeFileSync(new URL('secrets.yml.example', root), renderConfigExample('secrets'));
console.log('wrote docs/configuration.md, config.yml.example, secrets.yml.example');

#!/usr/bin/env node
// The `3t` bin of @3t/cli: runs the TypeScript sources through tsx (no build step in dev;
// `pnpm build` bundles dist/cli.mjs for production).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

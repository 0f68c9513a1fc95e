#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): tsx compiles them on the fly.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/main.ts');

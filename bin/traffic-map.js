#!/usr/bin/env -S node --max-semi-space-size=32
// Runs the TypeScript CLI directly (tsx compiles on load), so `npx traffic-map` works after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

// Worker thread entry: TypeScript through tsx, as bin/traffic-map.js runs the CLI (a worker does
// not inherit the main thread's module hooks).
import { register } from 'tsx/esm/api';

register();
await import('./prepare-thread.ts');

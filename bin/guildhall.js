#!/usr/bin/env node
// The `guildhall` command. The server is TypeScript run through tsx's loader, so a checkout needs no
// compile step for the server (the SPA is built by `npm install`).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

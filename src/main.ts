// The `guildhall` command, as bin/guildhall.js runs it: the commands (src/cli.ts) on this process.
import { runCli } from './cli.ts';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exit(code);

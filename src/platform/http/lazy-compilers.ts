// Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), each schema
// compiled the first time its route uses it instead of all at start. Compiling the 200-odd routes'
// schemas up front took 400 of a start's 1 100 ms and kept the code of routes a process may never
// serve; now a schema costs its route's first request a millisecond or two, once per process.
// `compileAll` compiles every schema still waiting, so a test can prove that all of them compile
// (tests/integration/route-schemas.test.ts): a schema that does not would fail only its first request.
import ajvCompiler from '@fastify/ajv-compiler';
import serializerCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Compiled = ((...input: never[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type Compile = (route: RouteSchema) => Compiled;
type Builder = (externalSchemas: unknown, options: unknown) => Compile;
interface RouteSchema {
  schema?: { properties?: Record<string, unknown>; required?: string[] };
  method?: string;
  url?: string;
  httpPart?: string;
  httpStatus?: string;
}

export interface LazySchemas {
  /** Fastify's `schemaController` option. */
  controller: NonNullable<FastifyServerOptions['schemaController']>;
  /**
   * Compiles every schema not compiled yet and says how many; throws naming the route and part of the
   * first that fails.
   */
  compileAll(): number;
}

export function lazySchemas(): LazySchemas {
  const waiting = new Set<() => void>();

  const lazily =
    (build: Builder): Builder =>
    (externalSchemas, options) => {
      let compile: Compile | undefined;
      return (route) => {
        // Fastify lower-cases a headers schema's names only for its own compiler: a route's header names
        // must be written in lower case (checked here, at start).
        const headers = route.httpPart === 'headers' ? route.schema : undefined;
        const headerNames = [...Object.keys(headers?.properties ?? {}), ...(headers?.required ?? [])];
        const upper = headerNames.find((name) => name !== name.toLowerCase());
        if (upper) throw new Error(`${route.method} ${route.url}: write the header ${upper} in lower case`);
        let compiled: Compiled | undefined;
        const ensure = (): Compiled => {
          if (!compiled) {
            compile ??= build(externalSchemas, options);
            try {
              compiled = compile(route);
            } catch (error) {
              const part = route.httpPart ?? `response ${route.httpStatus}`;
              throw new Error(`${route.method} ${route.url} (${part}): ${(error as Error).message}`, {
                cause: error,
              });
            }
            waiting.delete(ensure);
          }
          return compiled;
        };
        waiting.add(ensure);
        const run = function (this: unknown, ...input: never[]) {
          return ensure().apply(this, input);
        };
        // Fastify reads why a validation failed from the validator (Ajv's `errors`), and passes the
        // request as the parent of the value when Ajv may replace it (`schemaEnv`): both from the
        // compiled function, which asking for them compiles.
        Object.defineProperty(run, 'errors', { get: () => compiled?.errors });
        Object.defineProperty(run, 'schemaEnv', { get: () => ensure().schemaEnv });
        return run;
      };
    };

  return {
    controller: {
      compilersFactory: {
        buildValidator: lazily(ajvCompiler() as unknown as Builder),
        buildSerializer: lazily(serializerCompiler() as unknown as Builder),
      },
    } as unknown as LazySchemas['controller'],
    compileAll() {
      const all = [...waiting];
      for (const ensure of all) ensure();
      return all.length;
    },
  };
}

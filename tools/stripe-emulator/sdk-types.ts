// A small reader of the installed `stripe` SDK's own declaration files (node_modules/stripe/esm), for
// the emulator's tests: which parameters each SDK method declares, and what its objects look like, as
// shipped for the pinned API version. TypeScript here is the native compiler (no JS API), so this
// reads the subset of declaration syntax those generated files use: imports and re-exports,
// interfaces (with `extends` and index signatures), type aliases (generic ones too), namespaces
// (merged across declarations), classes with method signatures, unions, intersections, literals,
// arrays, inline object types. Anything else is skipped, or fails loudly when a test needs it.
//
// Which HTTP route each SDK method calls is read from the SDK's compiled resources (the
// `_makeRequest('POST', '/v1/…')` of every method), so nothing here is a hand-copied list: an SDK
// upgrade shows up as drift in the tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';

// ---------------------------------------------------------------------------------------------------
// Tokens

interface Token {
  kind: 'ident' | 'string' | 'number' | 'punct';
  value: string;
  at: number;
}

const puncts = [
  '=>',
  '...',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '<',
  '>',
  ';',
  ':',
  '?',
  ',',
  '|',
  '&',
  '=',
  '.',
  '*',
  '-',
];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end + 1;
      continue;
    }
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let value = '';
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\\') {
          value += source[j + 1] ?? '';
          j += 2;
        } else value += source[j++];
      }
      if (j >= source.length) throw new Error(`unterminated string at ${i}`);
      tokens.push({ kind: 'string', value, at: i });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(source.slice(i, i + 200));
    if (word) {
      tokens.push({ kind: 'ident', value: word[0], at: i });
      i += word[0].length;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(source.slice(i, i + 50));
    if (number) {
      tokens.push({ kind: 'number', value: number[0], at: i });
      i += number[0].length;
      continue;
    }
    const punct = puncts.find((p) => source.startsWith(p, i));
    if (punct) {
      tokens.push({ kind: 'punct', value: punct, at: i });
      i += punct.length;
      continue;
    }
    // Characters these files do not use in declarations (`#`, `@`, `!`…) are passed through as
    // punctuation so the skipping logic can step over them.
    tokens.push({ kind: 'punct', value: c, at: i });
    i++;
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------------
// Syntax

export type TypeNode =
  | { kind: 'ref'; name: string[]; args: TypeNode[] }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'keyword'; name: string }
  | { kind: 'union'; types: TypeNode[] }
  | { kind: 'intersection'; types: TypeNode[] }
  | { kind: 'array'; element: TypeNode }
  | { kind: 'object'; members: MemberNode[] }
  | { kind: 'function' }
  | { kind: 'tuple'; elements: TypeNode[] };

export type MemberNode =
  | { kind: 'property'; name: string; optional: boolean; type: TypeNode }
  | { kind: 'index'; type: TypeNode };

export interface InterfaceDecl {
  name: string;
  typeParams: string[];
  heritage: TypeNode[];
  members: MemberNode[];
  scope: Scope;
}

export interface AliasDecl {
  name: string;
  typeParams: string[];
  type: TypeNode;
  scope: Scope;
}

export interface MethodDecl {
  name: string;
  params: { name: string; optional: boolean; type: TypeNode }[];
  returns: TypeNode;
}

export interface ClassDecl {
  name: string;
  methods: MethodDecl[];
  scope: Scope;
}

export interface Scope {
  parent: Scope | null;
  module: ModuleDecl;
  interfaces: Map<string, InterfaceDecl[]>;
  aliases: Map<string, AliasDecl>;
  namespaces: Map<string, Scope>;
  classes: Map<string, ClassDecl>;
  /** `export import A = B.C;` inside a namespace. */
  importAliases: Map<string, string[]>;
  /** `export { A, B as C };` inside a namespace: names of the enclosing scope under new names. */
  localExports: Map<string, string>;
}

export interface ModuleDecl {
  file: string;
  scope: Scope;
  /** Local name → where it comes from (`*` for `import * as X`). */
  imports: Map<string, { from: string; name: string }>;
  /** Exported name → where it comes from (`export { A as B } from './x.js'`). */
  reexports: Map<string, { from: string; name: string }>;
  starExports: string[];
}

function newScope(module: ModuleDecl, parent: Scope | null): Scope {
  return {
    parent,
    module,
    interfaces: new Map(),
    aliases: new Map(),
    namespaces: new Map(),
    classes: new Map(),
    importAliases: new Map(),
    localExports: new Map(),
  };
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private is(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token !== undefined && token.kind !== 'string' && token.value === value;
  }

  private fail(message: string): never {
    const token = this.peek();
    throw new Error(`${this.file}: ${message} at token ${this.i} (${token ? token.value : 'end'})`);
  }

  private next(): Token {
    const token = this.tokens[this.i++];
    if (!token) this.fail('unexpected end');
    return token;
  }

  private expect(value: string): void {
    if (!this.is(value)) this.fail(`expected ${value}`);
    this.i++;
  }

  private accept(value: string): boolean {
    if (this.is(value)) {
      this.i++;
      return true;
    }
    return false;
  }

  private ident(): string {
    const token = this.next();
    if (token.kind !== 'ident') this.fail(`expected a name, got ${token.value}`);
    return token.value;
  }

  /** A property or parameter name: identifier, string or number. */
  private propertyName(): string {
    const token = this.next();
    if (token.kind === 'punct') this.fail(`expected a property name, got ${token.value}`);
    return token.value;
  }

  /** Steps over a balanced `{…}` or `[…]` (a destructuring pattern); returns a placeholder name. */
  private skipGroup(): string {
    let depth = 0;
    do {
      const token = this.next();
      if (token.kind !== 'punct') continue;
      if (token.value === '{' || token.value === '[') depth++;
      else if (token.value === '}' || token.value === ']') depth--;
    } while (depth > 0);
    return '(pattern)';
  }

  private atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  /** Skips one statement or member: up to a `;` at depth 0, or past a balanced `{…}` block. */
  private skipStatement(): void {
    let depth = 0;
    while (!this.atEnd()) {
      const token = this.next();
      if (token.kind !== 'punct') continue;
      if (token.value === '{' || token.value === '(' || token.value === '[') depth++;
      else if (token.value === '}' || token.value === ')' || token.value === ']') {
        depth--;
        if (depth === 0 && token.value === '}' && !this.is('.') && !this.is('|') && !this.is('&')) {
          this.accept(';');
          return;
        }
        if (depth < 0) {
          this.i--;
          return;
        }
      } else if (token.value === ';' && depth === 0) return;
    }
  }

  parseModule(): ModuleDecl {
    const module: ModuleDecl = {
      file: this.file,
      scope: undefined as unknown as Scope,
      imports: new Map(),
      reexports: new Map(),
      starExports: [],
    };
    module.scope = newScope(module, null);
    this.parseStatements(module.scope, module, false);
    return module;
  }

  private parseStatements(scope: Scope, module: ModuleDecl, inBlock: boolean): void {
    while (!this.atEnd()) {
      if (inBlock && this.is('}')) return;
      this.parseStatement(scope, module);
    }
    if (inBlock) this.fail('unterminated block');
  }

  private parseStatement(scope: Scope, module: ModuleDecl): void {
    if (this.accept(';')) return;
    if (this.is('import') && scope.parent === null) {
      this.parseImport(module);
      return;
    }
    if (this.accept('export')) {
      if (this.is('{') || this.is('*')) {
        this.parseExportList(scope, module);
        return;
      }
      if (this.is('import')) {
        this.parseImportAlias(scope);
        return;
      }
      if (this.accept('default')) {
        this.skipStatement();
        return;
      }
    }
    this.accept('declare');
    if (this.is('abstract')) this.next();
    if (this.is('interface')) this.parseInterface(scope);
    else if (this.is('type') && this.peek(1)?.kind === 'ident') this.parseAlias(scope);
    else if (this.is('namespace') || this.is('module')) this.parseNamespace(scope, module);
    else if (this.is('class')) this.parseClass(scope);
    else this.skipStatement();
  }

  private parseImport(module: ModuleDecl): void {
    this.expect('import');
    this.accept('type');
    if (this.peek()?.kind === 'string') {
      this.next();
      this.accept(';');
      return;
    }
    const names: [string, string][] = [];
    if (this.accept('*')) {
      this.expect('as');
      names.push([this.ident(), '*']);
    } else if (this.accept('{')) {
      while (!this.accept('}')) {
        this.accept('type');
        const name = this.ident();
        const local = this.accept('as') ? this.ident() : name;
        names.push([local, name]);
        this.accept(',');
      }
    } else {
      names.push([this.ident(), 'default']);
    }
    this.expect('from');
    const from = this.next().value;
    this.accept(';');
    for (const [local, name] of names) module.imports.set(local, { from, name });
  }

  private parseImportAlias(scope: Scope): void {
    this.expect('import');
    const name = this.ident();
    this.expect('=');
    const target = [this.ident()];
    while (this.accept('.')) target.push(this.ident());
    this.accept(';');
    scope.importAliases.set(name, target);
  }

  private parseExportList(scope: Scope, module: ModuleDecl): void {
    if (this.accept('*')) {
      if (this.accept('as')) {
        const name = this.ident();
        this.expect('from');
        const from = this.next().value;
        module.reexports.set(name, { from, name: '*' });
      } else {
        this.expect('from');
        module.starExports.push(this.next().value);
      }
      this.accept(';');
      return;
    }
    this.expect('{');
    const names: [string, string][] = [];
    while (!this.accept('}')) {
      this.accept('type');
      const name = this.ident();
      const exported = this.accept('as') ? this.ident() : name;
      names.push([exported, name]);
      this.accept(',');
    }
    if (this.accept('from')) {
      const from = this.next().value;
      for (const [exported, name] of names) module.reexports.set(exported, { from, name });
    } else {
      for (const [exported, name] of names) scope.localExports.set(exported, name);
    }
    this.accept(';');
  }

  private typeParams(): string[] {
    const params: string[] = [];
    if (!this.accept('<')) return params;
    while (!this.accept('>')) {
      params.push(this.ident());
      if (this.accept('extends')) this.parseType();
      if (this.accept('=')) this.parseType();
      this.accept(',');
    }
    return params;
  }

  private parseInterface(scope: Scope): void {
    this.expect('interface');
    const name = this.ident();
    const typeParams = this.typeParams();
    const heritage: TypeNode[] = [];
    if (this.accept('extends')) {
      do heritage.push(this.parseType());
      while (this.accept(','));
    }
    const members = this.parseMembers();
    const list = scope.interfaces.get(name) ?? [];
    list.push({ name, typeParams, heritage, members, scope });
    scope.interfaces.set(name, list);
  }

  private parseAlias(scope: Scope): void {
    this.expect('type');
    const name = this.ident();
    const typeParams = this.typeParams();
    this.expect('=');
    const type = this.parseType();
    this.accept(';');
    scope.aliases.set(name, { name, typeParams, type, scope });
  }

  private parseNamespace(scope: Scope, module: ModuleDecl): void {
    this.next();
    if (this.peek()?.kind === 'string') {
      // `declare module 'x' { … }`: not used by the resources; skip it.
      this.next();
      this.skipStatement();
      return;
    }
    let target = scope;
    do {
      const name = this.ident();
      let inner = target.namespaces.get(name);
      if (!inner) {
        inner = newScope(module, target);
        target.namespaces.set(name, inner);
      }
      target = inner;
    } while (this.accept('.'));
    this.expect('{');
    this.parseStatements(target, module, true);
    this.expect('}');
  }

  private parseClass(scope: Scope): void {
    this.expect('class');
    const name = this.ident();
    this.typeParams();
    while (!this.is('{')) this.next();
    this.expect('{');
    const methods: MethodDecl[] = [];
    while (!this.accept('}')) {
      if (this.accept(';')) continue;
      const start = this.i;
      while (
        ['private', 'protected', 'public', 'static', 'readonly', 'abstract', 'declare'].includes(
          this.peek()?.value ?? '',
        ) &&
        this.peek(1)?.kind !== 'punct'
      ) {
        this.next();
      }
      const modifiersSkipped = this.i > start;
      const token = this.peek();
      if (token?.kind === 'ident' && (this.is('(', 1) || this.is('<', 1))) {
        const methodName = this.ident();
        this.typeParams();
        const params = this.parseParams();
        const returns = this.accept(':') ? this.parseType() : { kind: 'keyword' as const, name: 'void' };
        this.accept(';');
        if (!modifiersSkipped) methods.push({ name: methodName, params, returns });
        continue;
      }
      this.skipStatement();
    }
    scope.classes.set(name, { name, methods, scope });
  }

  private parseParams(): MethodDecl['params'] {
    this.expect('(');
    const params: MethodDecl['params'] = [];
    while (!this.accept(')')) {
      this.accept('...');
      const name = this.is('{') || this.is('[') ? this.skipGroup() : this.propertyName();
      const optional = this.accept('?');
      const type = this.accept(':') ? this.parseType() : { kind: 'keyword' as const, name: 'any' };
      params.push({ name, optional, type });
      this.accept(',');
    }
    return params;
  }

  private parseMembers(): MemberNode[] {
    this.expect('{');
    const members: MemberNode[] = [];
    while (!this.accept('}')) {
      if (this.accept(';') || this.accept(',')) continue;
      this.accept('readonly');
      if (this.is('[')) {
        // `[key: string]: T`
        this.next();
        this.propertyName();
        this.expect(':');
        this.parseType();
        this.expect(']');
        this.accept('?');
        this.expect(':');
        members.push({ kind: 'index', type: this.parseType() });
        continue;
      }
      const name = this.propertyName();
      const optional = this.accept('?');
      if (this.is('(') || this.is('<')) {
        // A method signature inside an interface: not data, skip it.
        this.typeParams();
        this.parseParams();
        if (this.accept(':')) this.parseType();
        continue;
      }
      this.expect(':');
      members.push({ kind: 'property', name, optional, type: this.parseType() });
    }
    return members;
  }

  parseType(): TypeNode {
    if (this.is('(') && this.looksLikeFunction()) {
      this.parseParams();
      this.expect('=>');
      this.parseType();
      return { kind: 'function' };
    }
    this.accept('|');
    const types = [this.parseIntersection()];
    while (this.accept('|')) types.push(this.parseIntersection());
    return types.length === 1 ? (types[0] as TypeNode) : { kind: 'union', types };
  }

  private looksLikeFunction(): boolean {
    if (this.is(')', 1)) return true;
    if (this.is('...', 1)) return true;
    const name = this.peek(1);
    return (name?.kind === 'ident' && (this.is(':', 2) || this.is('?', 2) || this.is(',', 2))) ?? false;
  }

  private parseIntersection(): TypeNode {
    this.accept('&');
    const types = [this.parsePostfix()];
    while (this.accept('&')) types.push(this.parsePostfix());
    return types.length === 1 ? (types[0] as TypeNode) : { kind: 'intersection', types };
  }

  private parsePostfix(): TypeNode {
    let type = this.parsePrimary();
    while (this.is('[') && this.is(']', 1)) {
      this.next();
      this.next();
      type = { kind: 'array', element: type };
    }
    return type;
  }

  private parsePrimary(): TypeNode {
    const token = this.peek();
    if (!token) this.fail('expected a type');
    if (token.kind === 'string') {
      this.next();
      return { kind: 'literal', value: token.value };
    }
    if (token.kind === 'number') {
      this.next();
      return { kind: 'literal', value: Number(token.value) };
    }
    if (this.accept('-')) {
      return { kind: 'literal', value: -Number(this.next().value) };
    }
    if (this.accept('(')) {
      const inner = this.parseType();
      this.expect(')');
      return inner;
    }
    if (this.is('{')) return { kind: 'object', members: this.parseMembers() };
    if (this.accept('[')) {
      const elements: TypeNode[] = [];
      while (!this.accept(']')) {
        elements.push(this.parseType());
        this.accept(',');
      }
      return { kind: 'tuple', elements };
    }
    if (token.kind === 'ident') {
      if (token.value === 'true' || token.value === 'false') {
        this.next();
        return { kind: 'literal', value: token.value === 'true' };
      }
      if (['typeof', 'keyof', 'unique', 'readonly'].includes(token.value)) {
        this.next();
        const operand = this.parsePostfix();
        return token.value === 'readonly' ? operand : { kind: 'keyword', name: 'unknown' };
      }
      if (token.value === 'import' && this.is('(', 1)) {
        // `import('./x.js').Name`
        this.next();
        this.expect('(');
        this.next();
        this.expect(')');
        const name: string[] = [];
        while (this.accept('.')) name.push(this.ident());
        return { kind: 'keyword', name: 'unknown' };
      }
      const keywords = [
        'string',
        'number',
        'boolean',
        'null',
        'undefined',
        'any',
        'unknown',
        'void',
        'never',
        'object',
        'bigint',
        'symbol',
      ];
      if (keywords.includes(token.value)) {
        this.next();
        return { kind: 'keyword', name: token.value };
      }
      const name = [this.ident()];
      while (this.accept('.')) name.push(this.ident());
      const args: TypeNode[] = [];
      if (this.accept('<')) {
        while (!this.accept('>')) {
          args.push(this.parseType());
          this.accept(',');
        }
      }
      return { kind: 'ref', name, args };
    }
    this.fail(`unexpected ${token.value} in a type`);
  }
}

export function parseDeclarations(source: string, file = '<source>'): ModuleDecl {
  return new Parser(tokenize(source), file).parseModule();
}

// ---------------------------------------------------------------------------------------------------
// Meaning: declarations resolved into shapes

export type Shape =
  | { kind: 'string'; literals: string[] | null; open: boolean }
  | { kind: 'number'; literals: number[] | null }
  | { kind: 'boolean'; literals: boolean[] | null }
  | { kind: 'null' }
  | { kind: 'unknown' }
  | { kind: 'decimal' }
  | { kind: 'array'; element: Shape }
  | ObjectShape
  | { kind: 'union'; options: Shape[] };

export interface Field {
  optional: boolean;
  shape: Shape;
}

export interface ObjectShape {
  kind: 'object';
  name: string;
  /** Declared fields, computed on first use (types are recursive). */
  fields(): Map<string, Field>;
  /** The value type of an index signature (`[key: string]: T`), if any. */
  index(): Shape | null;
}

type Env = Map<string, Shape>;

/** Names built into TypeScript that the SDK's files use. */
const builtins = new Set(['Array', 'Record', 'Partial', 'Promise', 'ReadonlyArray']);

/** Global (lib.d.ts, Node) types the SDK's files name; never data on the wire, so not looked into. */
const globals = new Set(['Error', 'Date', 'Buffer', 'Uint8Array', 'ArrayBuffer', 'AbortSignal', 'Function']);

export class DeclarationSet {
  private readonly modules = new Map<string, ModuleDecl>();
  private readonly interfaceCache = new Map<InterfaceDecl[], ObjectShape>();

  /** Reads a module, by absolute path (`.js` in an import maps to its `.d.ts`). */
  module(file: string): ModuleDecl {
    const path = file.endsWith('.d.ts') ? file : file.replace(/\.js$/, '.d.ts');
    const cached = this.modules.get(path);
    if (cached) return cached;
    if (!existsSync(path)) throw new Error(`no declaration file ${path}`);
    const parsed = parseDeclarations(readFileSync(path, 'utf8'), path);
    this.modules.set(path, parsed);
    return parsed;
  }

  private importPath(module: ModuleDecl, from: string): string {
    return resolve(dirname(module.file), from).replace(/\.js$/, '.d.ts');
  }

  /** What a module exports under a name: a declaration in its top scope, or a re-export. */
  private exported(module: ModuleDecl, name: string, seen = new Set<string>()): Entity | null {
    const key = `${module.file}#${name}`;
    if (seen.has(key)) return null;
    seen.add(key);
    const local = entityIn(module.scope, name);
    if (local) return local;
    const re = module.reexports.get(name);
    if (re) return this.fromModule(module, re.from, re.name, seen);
    const renamed = module.scope.localExports.get(name);
    if (renamed) return this.lookup(module.scope, [renamed]);
    for (const from of module.starExports) {
      const found = this.fromModule(module, from, name, seen);
      if (found) return found;
    }
    return null;
  }

  private fromModule(
    module: ModuleDecl,
    from: string,
    name: string,
    seen = new Set<string>(),
  ): Entity | null {
    const path = this.importPath(module, from);
    if (basename(path) === 'Decimal.d.ts' && name === 'Decimal') return { kind: 'decimal' };
    const target = this.module(path);
    if (name === '*') return { kind: 'module', module: target };
    return this.exported(target, name, seen);
  }

  /** Resolves a (possibly dotted) name from a scope, walking outwards, then through imports. */
  lookup(scope: Scope, name: string[]): Entity | null {
    const [head, ...rest] = name;
    if (head === undefined) return null;
    let entity: Entity | null = null;
    for (let s: Scope | null = scope; s && !entity; s = s.parent) entity = this.entityInScope(s, head);
    if (!entity) {
      const imported = scope.module.imports.get(head);
      if (imported) entity = this.fromModule(scope.module, imported.from, imported.name);
    }
    for (const part of rest) {
      if (!entity) return null;
      entity = this.member(entity, part);
    }
    return entity;
  }

  private entityInScope(scope: Scope, name: string): Entity | null {
    const local = entityIn(scope, name);
    if (local) return local;
    const alias = scope.importAliases.get(name);
    if (alias) return this.lookup(scope, alias);
    const exported = scope.localExports.get(name);
    if (exported && scope.parent) return this.lookup(scope.parent, [exported]);
    return null;
  }

  private member(entity: Entity, name: string): Entity | null {
    if (entity.kind === 'module') return this.exported(entity.module, name);
    if (entity.kind === 'declared' && entity.namespace) return this.entityInScope(entity.namespace, name);
    return null;
  }

  /** The shape of a named type, e.g. `['Checkout', 'SessionCreateParams']` in a module. */
  shapeOf(scope: Scope, name: string[]): Shape {
    return this.shape({ kind: 'ref', name, args: [] }, scope, new Map());
  }

  shape(node: TypeNode, scope: Scope, env: Env): Shape {
    switch (node.kind) {
      case 'literal':
        if (typeof node.value === 'string') return { kind: 'string', literals: [node.value], open: false };
        if (typeof node.value === 'number') return { kind: 'number', literals: [node.value] };
        return { kind: 'boolean', literals: [node.value] };
      case 'keyword':
        switch (node.name) {
          case 'string':
            return { kind: 'string', literals: null, open: true };
          case 'number':
          case 'bigint':
            return { kind: 'number', literals: null };
          case 'boolean':
            return { kind: 'boolean', literals: null };
          case 'null':
          case 'undefined':
          case 'void':
            return { kind: 'null' };
          case 'never':
            return { kind: 'union', options: [] };
          default:
            return { kind: 'unknown' };
        }
      case 'array':
        return { kind: 'array', element: this.shape(node.element, scope, env) };
      case 'tuple':
        return { kind: 'array', element: union(node.elements.map((e) => this.shape(e, scope, env))) };
      case 'function':
        return { kind: 'unknown' };
      case 'union':
        return union(node.types.map((t) => this.shape(t, scope, env)));
      case 'intersection':
        return this.intersection(node.types.map((t) => this.shape(t, scope, env)));
      case 'object':
        return objectShape('(inline)', () => this.membersOf([{ members: node.members, scope, env }]));
      case 'ref':
        return this.refShape(node, scope, env);
    }
  }

  private intersection(shapes: Shape[]): Shape {
    // `string & Record<never, never>` (the SDK's OtherString) is a string; objects merge.
    const primitive = shapes.find((s) => s.kind !== 'object' && s.kind !== 'unknown');
    if (primitive) return primitive.kind === 'string' ? { ...primitive, open: true } : primitive;
    const objects = shapes.filter((s): s is ObjectShape => s.kind === 'object');
    if (objects.length === 0) return { kind: 'unknown' };
    return objectShape(objects.map((o) => o.name).join(' & '), () => {
      const out = new Map<string, Field>();
      for (const o of objects) for (const [k, v] of o.fields()) out.set(k, v);
      return { fields: out, index: objects.map((o) => o.index()).find((i) => i) ?? null };
    });
  }

  private refShape(node: Extract<TypeNode, { kind: 'ref' }>, scope: Scope, env: Env): Shape {
    const [head] = node.name;
    if (node.name.length === 1 && head !== undefined && env.has(head)) return env.get(head) as Shape;
    const args = node.args.map((a) => this.shape(a, scope, env));
    if (node.name.length === 1 && head !== undefined && builtins.has(head)) {
      if (head === 'Array' || head === 'ReadonlyArray')
        return { kind: 'array', element: args[0] ?? { kind: 'unknown' } };
      if (head === 'Promise') return args[0] ?? { kind: 'unknown' };
      if (head === 'Record') {
        const value = args[1] ?? { kind: 'unknown' };
        return objectShape('Record', () => ({ fields: new Map(), index: value }));
      }
      if (head === 'Partial') {
        const inner = args[0];
        if (inner?.kind !== 'object') return inner ?? { kind: 'unknown' };
        return objectShape(`Partial<${inner.name}>`, () => {
          const fields = new Map<string, Field>();
          for (const [k, v] of inner.fields()) fields.set(k, { optional: true, shape: v.shape });
          return { fields, index: inner.index() };
        });
      }
    }
    const entity = this.lookup(scope, node.name);
    if (!entity && node.name.length === 1 && globals.has(head ?? '')) return { kind: 'unknown' };
    if (!entity)
      throw new Error(`cannot resolve ${node.name.join('.')} in ${relativeToSdk(scope.module.file)}`);
    if (entity.kind === 'decimal') return { kind: 'decimal' };
    if (entity.kind === 'declared') {
      if (entity.alias) {
        const alias = entity.alias;
        const inner = new Map(env);
        alias.typeParams.forEach((p, i) => {
          inner.set(p, args[i] ?? { kind: 'unknown' });
        });
        return this.shape(alias.type, alias.scope, inner);
      }
      if (entity.interfaces) return this.interfaceShape(entity.interfaces, args);
      if (entity.cls) return { kind: 'unknown' };
    }
    throw new Error(`${node.name.join('.')} is not a type (in ${relativeToSdk(scope.module.file)})`);
  }

  private interfaceShape(decls: InterfaceDecl[], args: Shape[]): ObjectShape {
    const generic = decls.some((d) => d.typeParams.length > 0);
    if (!generic) {
      const cached = this.interfaceCache.get(decls);
      if (cached) return cached;
    }
    const name = decls[0]?.name ?? '?';
    const shape = objectShape(name, () => {
      const sources: { members: MemberNode[]; scope: Scope; env: Env }[] = [];
      const bases: Shape[] = [];
      for (const decl of decls) {
        const env: Env = new Map();
        decl.typeParams.forEach((p, i) => {
          env.set(p, args[i] ?? { kind: 'unknown' });
        });
        for (const base of decl.heritage) {
          // `extends Promise<…>, AsyncIterableIterator<T>` (lib.d.ts) are not data.
          if (base.kind === 'ref' && ['AsyncIterableIterator', 'Promise'].includes(base.name[0] ?? ''))
            continue;
          bases.push(this.shape(base, decl.scope, env));
        }
        sources.push({ members: decl.members, scope: decl.scope, env });
      }
      const own = this.membersOf(sources);
      const fields = new Map<string, Field>();
      let index: Shape | null = own.index;
      for (const base of bases) {
        if (base.kind !== 'object') continue;
        for (const [k, v] of base.fields()) fields.set(k, v);
        index ??= base.index();
      }
      for (const [k, v] of own.fields) fields.set(k, v);
      return { fields, index };
    });
    if (!generic) this.interfaceCache.set(decls, shape);
    return shape;
  }

  private membersOf(sources: { members: MemberNode[]; scope: Scope; env: Env }[]): {
    fields: Map<string, Field>;
    index: Shape | null;
  } {
    const fields = new Map<string, Field>();
    let index: Shape | null = null;
    for (const { members, scope, env } of sources) {
      for (const member of members) {
        if (member.kind === 'index') index = this.shape(member.type, scope, env);
        else
          fields.set(member.name, { optional: member.optional, shape: this.shape(member.type, scope, env) });
      }
    }
    return { fields, index };
  }
}

type Entity =
  | { kind: 'module'; module: ModuleDecl }
  | { kind: 'decimal' }
  | {
      kind: 'declared';
      interfaces?: InterfaceDecl[];
      alias?: AliasDecl;
      namespace?: Scope;
      cls?: ClassDecl;
    };

function entityIn(scope: Scope, name: string): Entity | null {
  const interfaces = scope.interfaces.get(name);
  const alias = scope.aliases.get(name);
  const namespace = scope.namespaces.get(name);
  const cls = scope.classes.get(name);
  if (!interfaces && !alias && !namespace && !cls) return null;
  return {
    kind: 'declared',
    ...(interfaces ? { interfaces } : {}),
    ...(alias ? { alias } : {}),
    ...(namespace ? { namespace } : {}),
    ...(cls ? { cls } : {}),
  };
}

function objectShape(
  name: string,
  compute: () => { fields: Map<string, Field>; index: Shape | null },
): ObjectShape {
  let computed: { fields: Map<string, Field>; index: Shape | null } | undefined;
  const get = () => {
    computed ??= compute();
    return computed;
  };
  return { kind: 'object', name, fields: () => get().fields, index: () => get().index };
}

/** Flattens a union and folds string literals (and the SDK's open `OtherString`) into one string shape. */
export function union(shapes: Shape[]): Shape {
  const flat: Shape[] = [];
  for (const s of shapes) {
    if (s.kind === 'union') flat.push(...s.options);
    else flat.push(s);
  }
  const strings = flat.filter((s): s is Extract<Shape, { kind: 'string' }> => s.kind === 'string');
  const rest = flat.filter((s) => s.kind !== 'string');
  const options: Shape[] = [...rest];
  if (strings.length > 0) {
    const literals = strings.flatMap((s) => s.literals ?? []);
    const anyString = strings.some((s) => s.literals === null);
    options.unshift({
      kind: 'string',
      literals: anyString && literals.length === 0 ? null : [...new Set(literals)],
      open: strings.some((s) => s.open),
    });
  }
  return options.length === 1 ? (options[0] as Shape) : { kind: 'union', options };
}

export function optionsOf(shape: Shape): Shape[] {
  return shape.kind === 'union' ? shape.options : [shape];
}

// ---------------------------------------------------------------------------------------------------
// The SDK's methods and the routes they call

export interface SdkMethod {
  /** The resource file and method, e.g. `Checkout/Sessions.create`. */
  label: string;
  httpMethod: 'GET' | 'POST' | 'DELETE';
  /** The path with every `${…}` segment as `:param`. */
  path: string;
  /** The declared type of the method's `params` argument, or null when it takes none (read lazily). */
  params(): Shape | null;
  /** What it answers: one object, or a list of them (read lazily). */
  returns(): { list: boolean; shape: Shape } | null;
}

export function sdkRoot(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('stripe'));
  while (!(basename(dir) === 'stripe' && existsSync(join(dir, 'package.json')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the stripe package');
    dir = up;
  }
  return dir;
}

function relativeToSdk(file: string): string {
  return relative(sdkRoot(), file);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** Every `name(…) { … this._makeRequest('METHOD', path …` of a compiled resource class. */
export function requestsOfCompiledResource(source: string): { method: string; http: string; path: string }[] {
  const out: { method: string; http: string; path: string }[] = [];
  const methodPattern = /^ {4}([A-Za-z_]\w*)\(([^)]*)\) \{$/gm;
  const starts = [...source.matchAll(methodPattern)].map((m) => ({ name: m[1] ?? '', at: m.index ?? 0 }));
  starts.forEach((start, index) => {
    const end = starts[index + 1]?.at ?? source.length;
    const body = source.slice(start.at, end);
    const requestPattern = /_makeRequest\('(GET|POST|DELETE)',\s*(?:'([^']*)'|`([^`]*)`)/g;
    for (const match of body.matchAll(requestPattern)) {
      const path = (match[2] ?? match[3] ?? '').replace(/\$\{encodeURIComponent\((\w+)\)\}/g, ':$1');
      out.push({ method: start.name, http: match[1] ?? '', path });
    }
  });
  return out;
}

function returnsOf(node: TypeNode, scope: Scope, decls: DeclarationSet): ReturnType<SdkMethod['returns']> {
  if (node.kind !== 'ref') return null;
  const [head] = node.name;
  const arg = node.args[0];
  if (!arg) return null;
  if (head === 'ApiListPromise') return { list: true, shape: decls.shape(arg, scope, new Map()) };
  if (head === 'Promise' && arg.kind === 'ref' && arg.name[0] === 'Response' && arg.args[0]) {
    return { list: false, shape: decls.shape(arg.args[0], scope, new Map()) };
  }
  return null;
}

/**
 * Every v1 route the installed SDK calls, with the method that calls it; each method's declared
 * params and result are read from its `.d.ts` only when asked for.
 */
export function loadSdk(root = sdkRoot()): { decls: DeclarationSet; methods: SdkMethod[] } {
  const decls = new DeclarationSet();
  const resources = join(root, 'esm', 'resources');
  const methods: SdkMethod[] = [];
  for (const file of walk(resources)) {
    if (!file.endsWith('.js')) continue;
    const source = readFileSync(file, 'utf8');
    if (!source.includes('_makeRequest(')) continue;
    for (const request of requestsOfCompiledResource(source)) {
      if (!request.path.startsWith('/v1/')) continue;
      let signature: { method: MethodDecl; scope: Scope } | undefined;
      const find = () => {
        if (signature) return signature;
        const module = decls.module(file);
        for (const cls of module.scope.classes.values()) {
          const method = cls.methods.find((m) => m.name === request.method);
          if (method) signature = { method, scope: module.scope };
        }
        if (!signature) throw new Error(`no declaration of ${request.method} in ${relativeToSdk(file)}`);
        return signature;
      };
      methods.push({
        label: `${relative(resources, file).replace(/\.js$/, '')}.${request.method}`,
        httpMethod: request.http as SdkMethod['httpMethod'],
        path: request.path,
        params() {
          const { method, scope } = find();
          const arg = method.params.find((p) => p.name === 'params');
          return arg ? decls.shape(arg.type, scope, new Map()) : null;
        },
        returns() {
          const { method, scope } = find();
          return returnsOf(method.returns, scope, decls);
        },
      });
    }
  }
  return { decls, methods };
}

/** `/v1/customers/:id` and `/v1/customers/:customer` are the same route. */
export function routeKey(method: string, path: string): string {
  return `${method} ${path.replace(/:\w+/g, ':')}`;
}

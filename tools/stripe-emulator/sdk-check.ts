// Comparisons against the installed SDK's declared types (read by sdk-types.ts), for the emulator's
// tests: the parameters a route accepts against the params type of the SDK method that calls it, and
// a JSON value the emulator answers against the object type the SDK declares for it.
import type { ParamSpec } from './routes.ts';
import { type Field, type ObjectShape, optionsOf, type Shape } from './sdk-types.ts';

function objectsOf(shape: Shape): ObjectShape[] {
  return optionsOf(shape).filter((s): s is ObjectShape => s.kind === 'object');
}

function fieldOf(objects: ObjectShape[], key: string): Field | undefined {
  for (const object of objects) {
    const field = object.fields().get(key);
    if (field) return field;
  }
  for (const object of objects) {
    const index = object.index();
    if (index) return { optional: true, shape: index };
  }
  return undefined;
}

export function describeShape(shape: Shape, depth = 0): string {
  switch (shape.kind) {
    case 'string':
      return shape.literals ? shape.literals.map((l) => `'${l}'`).join(' | ') : 'string';
    case 'number':
    case 'boolean':
      return shape.literals ? shape.literals.join(' | ') : shape.kind;
    case 'array':
      return depth > 1 ? 'array' : `Array<${describeShape(shape.element, depth + 1)}>`;
    case 'object':
      return shape.name;
    case 'union':
      return shape.options.map((o) => describeShape(o, depth + 1)).join(' | ');
    default:
      return shape.kind;
  }
}

/**
 * The parameters of a route's spec that the SDK does not declare at that place, named as Stripe
 * names them (`line_items[0][price_data][product]`); empty when every one is declared.
 */
export function undeclaredParams(spec: ParamSpec, declared: Shape | null, prefix = ''): string[] {
  const problems: string[] = [];
  const objects = declared ? objectsOf(declared) : [];
  for (const [key, child] of Object.entries(spec)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    const field = fieldOf(objects, key);
    if (!field) {
      problems.push(`${name} is not declared by the SDK`);
      continue;
    }
    if (child === true) continue;
    if (Array.isArray(child)) {
      const elements = optionsOf(field.shape).flatMap((s) => (s.kind === 'array' ? [s.element] : []));
      if (elements.length === 0) {
        problems.push(`${name} is a list here, the SDK declares ${describeShape(field.shape)}`);
        continue;
      }
      const element: Shape =
        elements.length === 1 ? (elements[0] as Shape) : { kind: 'union', options: elements };
      if (objectsOf(element).length === 0) {
        problems.push(`${name}[0] is an object here, the SDK declares ${describeShape(element)}`);
        continue;
      }
      problems.push(...undeclaredParams((child as readonly [ParamSpec])[0], element, `${name}[0]`));
      continue;
    }
    if (objectsOf(field.shape).length === 0) {
      problems.push(`${name} is an object here, the SDK declares ${describeShape(field.shape)}`);
      continue;
    }
    problems.push(...undeclaredParams(child as ParamSpec, field.shape, name));
  }
  return problems;
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Where a JSON value differs from a declared shape: a required field missing, a field the type does
 * not have, a primitive of the wrong kind, a string outside the literals the SDK lists. Strings of an
 * open enum (`'a' | 'b' | OtherString`) must still be one of the listed literals: the open end is the
 * SDK's tolerance of future values, not licence for the emulator to invent them.
 */
export function shapeProblems(value: unknown, shape: Shape, path = '$', partial = false): string[] {
  const options = optionsOf(shape);
  if (options.some((o) => o.kind === 'unknown')) return [];
  const kind = jsonKind(value);
  switch (kind) {
    case 'null':
      return options.some((o) => o.kind === 'null')
        ? []
        : [`${path}: null, the SDK declares ${describeShape(shape)}`];
    case 'string': {
      const strings = options.filter((o) => o.kind === 'string' || o.kind === 'decimal');
      if (strings.length === 0) return [`${path}: a string, the SDK declares ${describeShape(shape)}`];
      const allowed = strings.some(
        (o) => o.kind === 'decimal' || (o.kind === 'string' && o.literals === null),
      );
      if (allowed) return [];
      const literals = strings.flatMap((o) => (o.kind === 'string' ? (o.literals ?? []) : []));
      return literals.includes(value as string)
        ? []
        : [`${path}: '${String(value)}' is not one of ${literals.map((l) => `'${l}'`).join(', ')}`];
    }
    case 'number': {
      const numbers = options.filter((o) => o.kind === 'number');
      if (numbers.length === 0) return [`${path}: a number, the SDK declares ${describeShape(shape)}`];
      if (numbers.some((o) => o.kind === 'number' && o.literals === null)) return [];
      const literals = numbers.flatMap((o) => (o.kind === 'number' ? (o.literals ?? []) : []));
      return literals.includes(value as number)
        ? []
        : [`${path}: ${String(value)} is not one of ${literals.join(', ')}`];
    }
    case 'boolean': {
      const booleans = options.filter((o) => o.kind === 'boolean');
      if (booleans.length === 0) return [`${path}: a boolean, the SDK declares ${describeShape(shape)}`];
      if (booleans.some((o) => o.kind === 'boolean' && o.literals === null)) return [];
      const literals = booleans.flatMap((o) => (o.kind === 'boolean' ? (o.literals ?? []) : []));
      return literals.includes(value as boolean)
        ? []
        : [`${path}: ${String(value)} is not ${literals.join(' or ')}`];
    }
    case 'array': {
      const elements = options.flatMap((o) => (o.kind === 'array' ? [o.element] : []));
      if (elements.length === 0) return [`${path}: an array, the SDK declares ${describeShape(shape)}`];
      const element: Shape =
        elements.length === 1 ? (elements[0] as Shape) : { kind: 'union', options: elements };
      return (value as unknown[]).flatMap((item, i) =>
        shapeProblems(item, element, `${path}[${i}]`, partial),
      );
    }
    case 'object': {
      const objects = objectsOf(shape);
      if (objects.length === 0) return [`${path}: an object, the SDK declares ${describeShape(shape)}`];
      const record = value as Record<string, unknown>;
      // Of the object types the SDK allows here (an expandable field, `Customer | DeletedCustomer`),
      // the value must fit one: report against the closest.
      let best: string[] | undefined;
      for (const object of candidates(objects, record)) {
        const problems = objectProblems(record, object, path, partial);
        if (problems.length === 0) return [];
        if (!best || problems.length < best.length) best = problems;
      }
      return best ?? [];
    }
    default:
      return [`${path}: a ${kind}, the SDK declares ${describeShape(shape)}`];
  }
}

/**
 * Object types whose discriminants admit the value: a field declared as one literal (`object:
 * 'customer'`, `type: 'customer.updated'`, `deleted: true`) that the value has with another value
 * rules the type out. All of them if none is left, so the problems are reported against the closest.
 */
function candidates(objects: ObjectShape[], record: Record<string, unknown>): ObjectShape[] {
  if (objects.length === 1) return objects;
  const fitting = objects.filter((object) => {
    for (const [key, field] of object.fields()) {
      const declared = field.shape;
      const literal =
        (declared.kind === 'string' && !declared.open && declared.literals?.length === 1) ||
        (declared.kind === 'boolean' && declared.literals?.length === 1);
      if (!literal || !(key in record)) continue;
      if (shapeProblems(record[key], declared).length > 0) return false;
    }
    return true;
  });
  return fitting.length > 0 ? fitting : objects;
}

/**
 * Stripe's `previous_attributes` holds only what changed, nested objects included (`{invoice_settings:
 * {default_payment_method: …}}`); the SDK types it as a shallow `Partial<T>`, so below it a missing
 * field is not a problem.
 */
const partialFields = new Set(['previous_attributes']);

function objectProblems(
  record: Record<string, unknown>,
  object: ObjectShape,
  path: string,
  partial: boolean,
): string[] {
  const problems: string[] = [];
  const fields = object.fields();
  const index = object.index();
  for (const [key, field] of fields) {
    if (!(key in record)) {
      if (!field.optional && !partial) problems.push(`${path}.${key}: missing (required by ${object.name})`);
      continue;
    }
    problems.push(
      ...shapeProblems(record[key], field.shape, `${path}.${key}`, partial || partialFields.has(key)),
    );
  }
  for (const [key, item] of Object.entries(record)) {
    if (fields.has(key)) continue;
    if (index) problems.push(...shapeProblems(item, index, `${path}.${key}`, partial));
    else problems.push(`${path}.${key}: not a field of ${object.name}`);
  }
  return problems;
}

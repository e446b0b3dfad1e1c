// The declaration reader (sdk-types.ts) and the comparisons built on it (sdk-check.ts), on small
// declaration files written here in the shapes the SDK's generated files use, so a wrong reading
// cannot hide behind the real SDK agreeing with the emulator by accident.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shapeProblems, undeclaredParams } from './sdk-check.ts';
import {
  DeclarationSet,
  type ObjectShape,
  parseDeclarations,
  requestsOfCompiledResource,
  type Shape,
  tokenize,
} from './sdk-types.ts';

const dir = mkdtempSync(join(tmpdir(), 'sdk-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, source: string): string {
  const file = join(dir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, source);
  return file;
}

write(
  'shared.d.ts',
  `export { Decimal } from './Decimal.js';
export interface MetadataParam { [name: string]: string | number | null; }
export interface PaginationParams { ending_before?: string; limit?: number; starting_after?: string; }
export interface RangeQueryParam { gt?: number; gte?: number; lt?: number; lte?: number; }
export type Emptyable<T> = null | '' | T;
export type OtherString = string & Record<never, never>;
`,
);
write('Decimal.d.ts', 'declare const __brand: unique symbol;\nexport declare class Decimal { private x; }\n');
write(
  'resources/Widgets.d.ts',
  `import { StripeResource } from '../StripeResource.js';
import { MetadataParam, Emptyable, OtherString, PaginationParams, RangeQueryParam, Decimal } from '../shared.js';
import { Gadget } from './Gadgets.js';
import { RequestOptions, Response, ApiListPromise } from '../lib.js';
export declare class WidgetResource extends StripeResource {
    /**
     * Creates a widget. { not a brace that counts }
     */
    create(params: Shop.WidgetCreateParams, options?: RequestOptions): Promise<Response<Widget>>;
    list(params?: Shop.WidgetListParams, options?: RequestOptions): ApiListPromise<Widget>;
    del(id: string, params?: Shop.WidgetDeleteParams, options?: RequestOptions): Promise<Response<DeletedWidget>>;
    private readonly stripe;
}
export interface Widget {
    id: string;
    object: 'widget';
    amount_decimal: Decimal | null;
    gadget: string | Gadget | null;
    mode: Widget.Mode;
    parts: Array<Widget.Part>;
    'odd-name'?: boolean;
    tags: string[];
}
export interface DeletedWidget {
    id: string;
    object: 'widget';
    deleted: true;
}
export declare namespace Widget {
    type Mode = 'hosted_page' | 'embedded_page' | OtherString;
    interface Part {
        name: string;
        size: number | null;
    }
}
export declare namespace Shop {
    interface WidgetCreateParams {
        name: string;
        expand?: Array<string>;
        metadata?: Emptyable<MetadataParam>;
        parts?: Array<WidgetCreateParams.Part>;
        settings?: Emptyable<WidgetCreateParams.Settings>;
    }
    namespace WidgetCreateParams {
        interface Part { name: string; size?: number; }
        interface Settings { color?: Settings.Color; }
        namespace Settings { type Color = 'red' | 'blue'; }
    }
}
export declare namespace Shop {
    interface WidgetListParams extends PaginationParams {
        created?: RangeQueryParam | number;
        expand?: Array<string>;
    }
    interface WidgetDeleteParams {}
}
`,
);
write(
  'resources/Gadgets.d.ts',
  `export interface Gadget {
    id: string;
    object: 'gadget';
    owner: Partial<Owner>;
}
interface Owner { name: string; }
`,
);

write(
  'resources/Billing/Options.d.ts',
  `export interface Option { id: string; object: 'billing.option'; }
export declare namespace Billing {
    interface OptionListParams { limit?: number; }
}
`,
);
write(
  'resources/Billing/index.d.ts',
  `import { Billing as BillingNamespace0, Option } from './Options.js';
export { Option } from './Options.js';
export declare class Billing {
    private readonly stripe;
    constructor(stripe: unknown);
}
export declare namespace Billing {
    export import OptionListParams = BillingNamespace0.OptionListParams;
    export { Option };
}
`,
);
write(
  'resources/Portal.d.ts',
  `import * as Billing from './Billing/index.js';
export interface Portal {
    reasons: Array<string | Billing.Option> | null;
    params: Billing.Billing.OptionListParams;
}
`,
);

const decls = new DeclarationSet();
const widgets = decls.module(join(dir, 'resources/Widgets.d.ts'));

function object(shape: Shape): ObjectShape {
  if (shape.kind !== 'object') throw new Error(`not an object: ${shape.kind}`);
  return shape;
}

describe('reading declaration files', () => {
  it('tokenizes names, strings and punctuation and drops comments', () => {
    const tokens = tokenize('/** { */ type A = \'x\' | "y"; // }\n').map((t) => t.value);
    expect(tokens).toEqual(['type', 'A', '=', 'x', '|', 'y', ';']);
  });

  it('reads interfaces, merged namespaces, aliases and class method signatures', () => {
    const scope = widgets.scope;
    expect([...scope.interfaces.keys()]).toEqual(['Widget', 'DeletedWidget']);
    const shop = scope.namespaces.get('Shop');
    expect([...(shop?.interfaces.keys() ?? [])]).toEqual([
      'WidgetCreateParams',
      'WidgetListParams',
      'WidgetDeleteParams',
    ]);
    const resource = scope.classes.get('WidgetResource');
    expect(resource?.methods.map((m) => m.name)).toEqual(['create', 'list', 'del']);
    expect(resource?.methods[2]?.params.map((p) => `${p.name}${p.optional ? '?' : ''}`)).toEqual([
      'id',
      'params?',
      'options?',
    ]);
  });

  it('resolves names through namespaces, imports, re-exports and generic aliases', () => {
    const create = object(decls.shapeOf(widgets.scope, ['Shop', 'WidgetCreateParams']));
    expect([...create.fields().keys()]).toEqual(['name', 'expand', 'metadata', 'parts', 'settings']);
    expect(create.fields().get('name')?.optional).toBe(false);
    // Emptyable<T> = null | '' | T, with T substituted.
    const settings = create.fields().get('settings')?.shape;
    expect(settings?.kind).toBe('union');
    const color = settings?.kind === 'union' ? settings.options.find((o) => o.kind === 'object') : undefined;
    expect(object(color!).fields().get('color')?.shape).toEqual({
      kind: 'string',
      literals: ['red', 'blue'],
      open: false,
    });
    const list = object(decls.shapeOf(widgets.scope, ['Shop', 'WidgetListParams']));
    expect([...list.fields().keys()]).toEqual([
      'ending_before',
      'limit',
      'starting_after',
      'created',
      'expand',
    ]);
  });

  it('reads an open enum (OtherString) as its literals, marked open, and Decimal as a decimal', () => {
    const widget = object(decls.shapeOf(widgets.scope, ['Widget']));
    expect(widget.fields().get('mode')?.shape).toEqual({
      kind: 'string',
      literals: ['hosted_page', 'embedded_page'],
      open: true,
    });
    expect(widget.fields().get('amount_decimal')?.shape).toEqual({
      kind: 'union',
      options: [{ kind: 'decimal' }, { kind: 'null' }],
    });
    expect(widget.fields().get('odd-name')?.optional).toBe(true);
    // Partial<Owner>: every field optional.
    const owner = object(
      object(decls.shapeOf(widgets.scope, ['Gadget']))
        .fields()
        .get('owner')!.shape,
    );
    expect(owner.fields().get('name')?.optional).toBe(true);
  });

  it('follows namespace imports, re-exports and `export import` aliases across files', () => {
    const portal = decls.module(join(dir, 'resources/Portal.d.ts'));
    const shape = object(decls.shapeOf(portal.scope, ['Portal']));
    const reasons = shape.fields().get('reasons')?.shape;
    const option = reasons?.kind === 'union' ? reasons.options.find((o) => o.kind === 'array') : undefined;
    const element = option?.kind === 'array' ? option.element : undefined;
    const object_ = element?.kind === 'union' ? element.options.find((o) => o.kind === 'object') : undefined;
    expect(object_ && object(object_).name).toBe('Option');
    expect([...object(shape.fields().get('params')!.shape).fields().keys()]).toEqual(['limit']);
  });

  it('fails loudly on a name it cannot resolve', () => {
    const module = parseDeclarations('export interface A { b: Missing; }', join(dir, 'resources/A.d.ts'));
    const a = object(decls.shape({ kind: 'ref', name: ['A'], args: [] }, module.scope, new Map()));
    expect(() => a.fields()).toThrow(/cannot resolve Missing/);
  });

  it('finds each method’s HTTP route in a compiled resource', () => {
    const source = `export class WidgetResource extends StripeResource {
    list(params, options) {
        return this._makeRequest('GET', '/v1/widgets', params, options, { methodType: 'list' });
    }
    retrieve(id, params, options) {
        return this._makeRequest('GET', \`/v1/widgets/\${encodeURIComponent(id)}\`, params, options);
    }
}`;
    expect(requestsOfCompiledResource(source)).toEqual([
      { method: 'list', http: 'GET', path: '/v1/widgets' },
      { method: 'retrieve', http: 'GET', path: '/v1/widgets/:id' },
    ]);
  });
});

describe('comparing routes and answers with the declared types', () => {
  const create = decls.shapeOf(widgets.scope, ['Shop', 'WidgetCreateParams']);
  const widget = decls.shapeOf(widgets.scope, ['Widget']);
  const deleted = decls.shapeOf(widgets.scope, ['DeletedWidget']);

  it('names every parameter a spec accepts that the SDK does not declare, as Stripe names it', () => {
    expect(
      undeclaredParams(
        { name: true, expand: true, metadata: true, parts: [{ name: true, size: true }] },
        create,
      ),
    ).toEqual([]);
    expect(
      undeclaredParams(
        {
          name: true,
          colour: true,
          parts: [{ name: true, weight: true }],
          settings: { color: true, size: true },
        },
        create,
      ),
    ).toEqual([
      'colour is not declared by the SDK',
      'parts[0][weight] is not declared by the SDK',
      'settings[size] is not declared by the SDK',
    ]);
    expect(undeclaredParams({ name: { first: true } }, create)).toEqual([
      'name is an object here, the SDK declares string',
    ]);
    expect(
      undeclaredParams({ expand: true }, decls.shapeOf(widgets.scope, ['Shop', 'WidgetDeleteParams'])),
    ).toEqual(['expand is not declared by the SDK']);
    expect(undeclaredParams({ name: true }, null)).toEqual(['name is not declared by the SDK']);
  });

  const good = {
    id: 'wid_1',
    object: 'widget',
    amount_decimal: '12.5',
    gadget: 'gad_1',
    mode: 'hosted_page',
    parts: [{ name: 'a', size: null }],
    tags: ['x'],
  };

  it('accepts an answer of the declared shape, expandable fields either way', () => {
    expect(shapeProblems(good, widget)).toEqual([]);
    expect(shapeProblems({ ...good, gadget: { id: 'gad_1', object: 'gadget', owner: {} } }, widget)).toEqual(
      [],
    );
    expect(
      shapeProblems(
        { id: 'wid_1', object: 'widget', deleted: true },
        { kind: 'union', options: [widget, deleted] },
      ),
    ).toEqual([]);
  });

  it('reports missing and extra fields, wrong kinds and stale literals', () => {
    const { tags: _tags, ...missing } = good;
    expect(shapeProblems(missing, widget)).toEqual(['$.tags: missing (required by Widget)']);
    expect(shapeProblems({ ...good, colour: 'red' }, widget)).toEqual(['$.colour: not a field of Widget']);
    expect(shapeProblems({ ...good, parts: [{ name: 'a', size: '3' }] }, widget)).toEqual([
      '$.parts[0].size: a string, the SDK declares number | null',
    ]);
    expect(shapeProblems({ ...good, mode: 'hosted' }, widget)).toEqual([
      "$.mode: 'hosted' is not one of 'hosted_page', 'embedded_page'",
    ]);
    expect(shapeProblems({ ...good, gadget: 42 }, widget)).toEqual([
      '$.gadget: a number, the SDK declares string | Gadget | null',
    ]);
  });
});

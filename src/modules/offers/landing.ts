// Landing-page blocks: their schema (what the editor may send, what the API answers) and the rules a
// schema cannot say, as they arrive from the editor: known types, bounded text, and images only from
// our own media store.
import { type Static, Type } from 'typebox';
import type { FieldProblem } from '../../platform/errors.ts';

export const BLOCK_TYPES = [
  'hero',
  'text',
  'image',
  'benefits',
  'testimonials',
  'faq',
  'price',
  'cta',
] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

const MEDIA_URL = /^\/media\/[0-9a-f]{2}\/[0-9a-f]{32}\.webp$/;
export const MAX_BLOCKS = 40;
const MAX_ITEMS = 20;
/** The longest text each field of a block may hold. */
const MAX = {
  heading: 200,
  subheading: 500,
  text: 10_000,
  alt: 300,
  caption: 300,
  benefit: 300,
  quote: 1000,
  author: 200,
  question: 300,
  answer: 3000,
  buttonLabel: 60,
  ctaBody: 2000,
} as const;

const Text = (max: number) => Type.String({ maxLength: max });
const List = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Array(item, { maxItems: MAX_ITEMS });

const Id = Type.String();

/** A block as stored and answered: every field present. */
export const LandingBlock = Type.Union([
  Type.Object({
    id: Id,
    type: Type.Literal('hero'),
    heading: Text(MAX.heading),
    subheading: Text(MAX.subheading),
    showCover: Type.Boolean(),
  }),
  Type.Object({ id: Id, type: Type.Literal('text'), body: Text(MAX.text) }),
  Type.Object({
    id: Id,
    type: Type.Literal('image'),
    imageUrl: Type.Union([Type.String(), Type.Null()]),
    alt: Text(MAX.alt),
    caption: Text(MAX.caption),
  }),
  Type.Object({
    id: Id,
    type: Type.Literal('benefits'),
    heading: Text(MAX.heading),
    items: List(Text(MAX.benefit)),
  }),
  Type.Object({
    id: Id,
    type: Type.Literal('testimonials'),
    heading: Text(MAX.heading),
    items: List(Type.Object({ quote: Text(MAX.quote), author: Text(MAX.author) })),
  }),
  Type.Object({
    id: Id,
    type: Type.Literal('faq'),
    heading: Text(MAX.heading),
    items: List(Type.Object({ question: Text(MAX.question), answer: Text(MAX.answer) })),
  }),
  Type.Object({
    id: Id,
    type: Type.Literal('price'),
    heading: Text(MAX.heading),
    buttonLabel: Text(MAX.buttonLabel),
  }),
  Type.Object({
    id: Id,
    type: Type.Literal('cta'),
    heading: Text(MAX.heading),
    body: Text(MAX.ctaBody),
    buttonLabel: Text(MAX.buttonLabel),
  }),
]);
export type Block = Static<typeof LandingBlock>;

/**
 * What the editor may send for a block: its type and any of its fields (one left out is empty). The
 * type picks the one branch that applies (Ajv's discriminator), so an error names that block's field
 * and unknown fields are stripped from that branch only.
 */
export const LandingBlockInput = Type.Unsafe<Block>({
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: LandingBlock.anyOf.map((branch) => ({
    type: 'object',
    required: ['type'],
    properties: { ...branch.properties, id: Type.String({ pattern: '^[\\w-]{1,64}$' }) },
  })),
});
type Raw = Record<string, unknown>;

function text(raw: Raw, key: string, max: number, field: string, problems: FieldProblem[]): string {
  const value = raw[key] ?? '';
  if (typeof value !== 'string') {
    problems.push({ field: `${field}.${key}`, message: 'must be text' });
    return '';
  }
  if (value.length > max)
    problems.push({ field: `${field}.${key}`, message: `must be at most ${max} characters` });
  return value;
}

function items<T>(
  raw: Raw,
  field: string,
  problems: FieldProblem[],
  read: (item: Raw, at: string) => T,
): T[] {
  const list = raw.items;
  if (!Array.isArray(list)) {
    problems.push({ field: `${field}.items`, message: 'must be a list' });
    return [];
  }
  if (list.length > MAX_ITEMS)
    problems.push({ field: `${field}.items`, message: `must have at most ${MAX_ITEMS} items` });
  return list
    .slice(0, MAX_ITEMS)
    .map((item, index) =>
      read((typeof item === 'object' && item ? item : { value: item }) as Raw, `${field}.items.${index}`),
    );
}

/** The blocks, cleaned, with every problem found (field paths like landingPage.blocks.2.heading). */
export function parseBlocks(input: unknown): { blocks: Block[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (!Array.isArray(input))
    return { blocks: [], problems: [{ field: 'landingPage.blocks', message: 'must be a list' }] };
  if (input.length > MAX_BLOCKS)
    problems.push({ field: 'landingPage.blocks', message: `must have at most ${MAX_BLOCKS} blocks` });
  const blocks: Block[] = [];
  for (const [index, value] of input.slice(0, MAX_BLOCKS).entries()) {
    const field = `landingPage.blocks.${index}`;
    const raw = (typeof value === 'object' && value ? value : {}) as Raw;
    const type = raw.type as BlockType;
    const id = typeof raw.id === 'string' && /^[\w-]{1,64}$/.test(raw.id) ? raw.id : `block-${index}`;
    if (!BLOCK_TYPES.includes(type)) {
      problems.push({ field: `${field}.type`, message: `must be one of ${BLOCK_TYPES.join(', ')}` });
      continue;
    }
    switch (type) {
      case 'hero':
        blocks.push({
          id,
          type,
          heading: text(raw, 'heading', 200, field, problems),
          subheading: text(raw, 'subheading', 500, field, problems),
          showCover: raw.showCover !== false,
        });
        break;
      case 'text':
        blocks.push({ id, type, body: text(raw, 'body', 10_000, field, problems) });
        break;
      case 'image': {
        // Never String() a value a client sent: an object with its own toString throws.
        const given = raw.imageUrl ?? null;
        const imageUrl = typeof given === 'string' ? given : null;
        if (given !== null && (imageUrl === null || !MEDIA_URL.test(imageUrl)))
          problems.push({ field: `${field}.imageUrl`, message: 'must be an image uploaded here' });
        blocks.push({
          id,
          type,
          imageUrl,
          alt: text(raw, 'alt', 300, field, problems),
          caption: text(raw, 'caption', 300, field, problems),
        });
        break;
      }
      case 'benefits':
        blocks.push({
          id,
          type,
          heading: text(raw, 'heading', 200, field, problems),
          items: items(raw, field, problems, (item, at) =>
            text({ v: typeof item.value === 'string' ? item.value : item }, 'v', 300, at, problems),
          ),
        });
        break;
      case 'testimonials':
        blocks.push({
          id,
          type,
          heading: text(raw, 'heading', 200, field, problems),
          items: items(raw, field, problems, (item, at) => ({
            quote: text(item, 'quote', 1000, at, problems),
            author: text(item, 'author', 200, at, problems),
          })),
        });
        break;
      case 'faq':
        blocks.push({
          id,
          type,
          heading: text(raw, 'heading', 200, field, problems),
          items: items(raw, field, problems, (item, at) => ({
            question: text(item, 'question', 300, at, problems),
            answer: text(item, 'answer', 3000, at, problems),
          })),
        });
        break;
      case 'price':
        blocks.push({
          id,
          type,
          heading: text(raw, 'heading', 200, field, problems),
          buttonLabel: text(raw, 'buttonLabel', 60, field, problems),
        });
        break;
      case 'cta':
        blocks.push({
          id,
          type,
          heading: text(raw, 'heading', 200, field, problems),
          body: text(raw, 'body', 2000, field, problems),
          buttonLabel: text(raw, 'buttonLabel', 60, field, problems),
        });
        break;
    }
  }
  return { blocks, problems };
}

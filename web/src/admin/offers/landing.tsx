// The Landing Page tab: an enable toggle, the blocks (add, edit, reorder, remove) and a live preview
// drawn by the same components that render the public page, so the preview is what visitors get.
import '../../../../src/pages/pages.css';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import {
  BLOCK_LABELS,
  type Block,
  type BlockType,
  LandingBlocks,
  newBlock,
  type PublicOffer,
} from '../../../../src/pages/blocks.tsx';
import { priceLabel, trialLabel } from '../../../../src/platform/pricing.ts';
import type { HubGroup } from '../../api.ts';
import { fieldMessage, TextAreaField, TextField, useAction } from '../../forms.tsx';
import { type Draft, imageProblem, type Offer, pricingOf, uploadOfferMedia } from './model.ts';
import { ImageUploadField, Toggle, type Update } from './sections/index.ts';

const TYPES = Object.keys(BLOCK_LABELS) as BlockType[];
const MAX_BLOCKS = 40;
const MAX_ITEMS = 20;

function blockId(): string {
  return `b-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** What the public page knows of the offer, from the draft as typed (unsaved changes included). */
export function previewOfferOf(
  draft: Draft,
  offer: Offer | null,
  groups: HubGroup[] | undefined,
): PublicOffer {
  const { pricing, problems } = pricingOf(draft);
  const readable = Object.keys(problems).length === 0;
  const slug = draft.slug || offer?.slug || 'offer';
  return {
    slug,
    title: draft.title || 'Untitled offer',
    description: draft.description.trim(),
    priceLabel: readable ? priceLabel(pricing) : (offer?.priceLabel ?? '—'),
    trialLabel: readable ? trialLabel(pricing) : null,
    isFree: draft.model === 'free',
    coverUrl: offer?.coverUrl ?? null,
    thumbnailUrl: offer?.thumbnailUrl ?? null,
    checkoutUrl: `/checkout/${slug}`,
    grants: (groups ?? [])
      .filter((group) => draft.hubGroupIds.includes(group.id))
      .map((group) => ({ name: group.name, emoji: group.emoji, hidden: group.visibility === 'hidden' })),
  };
}

export function LandingEditor({
  draft,
  update,
  offer,
  groups,
  blockErrors,
  fields,
}: {
  draft: Draft;
  update: Update;
  offer: Offer | null;
  groups: HubGroup[] | undefined;
  /** Server problems by block id, then by field within the block (`heading`, `items.0.quote`). */
  blockErrors: Record<string, Record<string, string>>;
  fields: Record<string, string>;
}) {
  const [device, setDevice] = useState<'desktop' | 'phone'>('desktop');
  const [announce, setAnnounce] = useState('');
  const focusNext = useRef<string | null>(null);
  const blocks = draft.blocks;

  const setBlocks = (next: Block[]) => update({ blocks: next });
  const change = (id: string, patch: Partial<Block>) =>
    setBlocks(blocks.map((block) => (block.id === id ? ({ ...block, ...patch } as Block) : block)));

  const add = (type: BlockType) => {
    const block = newBlock(type, blockId());
    setBlocks([...blocks, block]);
    focusNext.current = `offer-block-${block.id}`;
    setAnnounce(`${BLOCK_LABELS[type]} block added at position ${blocks.length + 1}.`);
  };
  const move = (index: number, by: -1 | 1) => {
    const to = index + by;
    if (to < 0 || to >= blocks.length) return;
    const next = [...blocks];
    const [block] = next.splice(index, 1);
    if (!block) return;
    next.splice(to, 0, block);
    setBlocks(next);
    // Keep focus on the same button of the moved block, or on the other one at either end.
    const edge = (by === -1 && to === 0) || (by === 1 && to === blocks.length - 1);
    focusNext.current = `offer-block-${block.id}-${edge ? (by === -1 ? 'down' : 'up') : by === -1 ? 'up' : 'down'}`;
    setAnnounce(`${BLOCK_LABELS[block.type]} moved to position ${to + 1} of ${blocks.length}.`);
  };
  const remove = (index: number) => {
    const block = blocks[index];
    if (!block) return;
    const next = blocks.filter((_, i) => i !== index);
    setBlocks(next);
    const neighbour = next[Math.min(index, next.length - 1)];
    focusNext.current = neighbour ? `offer-block-${neighbour.id}` : 'offer-add-block';
    setAnnounce(`${BLOCK_LABELS[block.type]} block removed.`);
  };

  useEffect(() => {
    if (!focusNext.current) return;
    const el = document.getElementById(focusNext.current);
    focusNext.current = null;
    el?.focus();
  });

  const landingError = fields['landingPage.blocks'] ?? fields['landingPage.enabled'];
  const preview = previewOfferOf(draft, offer, groups);

  return (
    <div className="offer-landing">
      <section className="card section offer-section" aria-labelledby="offer-landing-title">
        <h2 id="offer-landing-title">Landing Page</h2>
        <p className="muted">
          Optionally, display a customizable landing page before the checkout. Its buy buttons lead to the
          checkout page.
        </p>
        <Toggle
          label="Show a landing page before checkout"
          checked={draft.landingEnabled}
          onChange={(landingEnabled) => update({ landingEnabled })}
          hint={
            draft.landingEnabled
              ? 'Visitors of the offer page see these blocks first.'
              : 'Off: the offer page is the checkout page. You can build the blocks first and turn this on later.'
          }
        />
        {landingError && <p className="field-error">{fieldMessage('Landing page', landingError)}</p>}
      </section>

      <div className="offer-landing-grid">
        <section className="offer-blocks" aria-labelledby="offer-blocks-title">
          <h2 id="offer-blocks-title" className="offer-blocks-title">
            Blocks
          </h2>
          <p className="visually-hidden" aria-live="polite">
            {announce}
          </p>
          {blocks.length === 0 ? (
            <div className="card empty-state">
              <p>No blocks yet. Add a hero, some text, the price card…</p>
            </div>
          ) : (
            <ol className="offer-block-list">
              {blocks.map((block, index) => (
                <li key={block.id}>
                  <BlockCard
                    block={block}
                    index={index}
                    count={blocks.length}
                    offer={offer}
                    errors={blockErrors[block.id] ?? {}}
                    onChange={(patch) => change(block.id, patch)}
                    onMove={(by) => move(index, by)}
                    onRemove={() => remove(index)}
                  />
                </li>
              ))}
            </ol>
          )}
          <AddBlockMenu onAdd={add} disabled={blocks.length >= MAX_BLOCKS} />
        </section>

        <section className="offer-preview" aria-labelledby="offer-preview-title">
          <div className="offer-preview-head">
            <h2 id="offer-preview-title" className="offer-blocks-title">
              Preview
            </h2>
            <fieldset className="offer-segmented">
              <legend className="visually-hidden">Preview size</legend>
              <button type="button" aria-pressed={device === 'desktop'} onClick={() => setDevice('desktop')}>
                Desktop
              </button>
              <button type="button" aria-pressed={device === 'phone'} onClick={() => setDevice('phone')}>
                Phone
              </button>
            </fieldset>
          </div>
          {!draft.landingEnabled && (
            <p className="field-hint">The landing page is off: visitors do not see this yet.</p>
          )}
          <div className={`offer-preview-stage offer-preview-${device}`}>
            {/* The links of the preview lead nowhere: a click must not leave the editor with unsaved work. */}
            <section
              className="offer-preview-frame op-page"
              aria-label={`Landing page preview (${device === 'phone' ? 'phone' : 'desktop'})`}
              onClickCapture={(event) => {
                if ((event.target as HTMLElement).closest('a')) event.preventDefault();
              }}
            >
              <div className="op-wrap">
                {blocks.length === 0 ? (
                  <p className="op-muted">The blocks you add appear here.</p>
                ) : (
                  <LandingBlocks blocks={blocks} offer={preview} />
                )}
              </div>
            </section>
          </div>
          {blocks.some((block) => block.type === 'hero' && block.showCover) && !offer?.coverUrl && (
            <p className="field-hint">The hero shows the cover image once you upload one in the Offer tab.</p>
          )}
        </section>
      </div>
    </div>
  );
}

/** "Add a block": a disclosure listing the block types (plain buttons, so it works with any input). */
function AddBlockMenu({ onAdd, disabled }: { onAdd(type: BlockType): void; disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  const wrap = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    wrap.current?.querySelector<HTMLButtonElement>('.offer-add-list button')?.focus();
    const close = (event: MouseEvent) => {
      if (!wrap.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const onEscape = (event: { key: string; preventDefault(): void }) => {
    if (event.key === 'Escape' && open) {
      event.preventDefault();
      setOpen(false);
      document.getElementById('offer-add-block')?.focus();
    }
  };
  return (
    <div className="offer-add" ref={wrap}>
      <button
        type="button"
        id="offer-add-block"
        className="button"
        aria-expanded={open}
        aria-controls={listId}
        disabled={disabled}
        onKeyDown={onEscape}
        onClick={() => setOpen((value) => !value)}
      >
        + Add a block
      </button>
      {disabled && <p className="field-hint">A landing page has at most {MAX_BLOCKS} blocks.</p>}
      {open && (
        <ul className="offer-add-list" id={listId} aria-label="Block types">
          {TYPES.map((type) => (
            <li key={type}>
              <button
                type="button"
                onKeyDown={onEscape}
                onClick={() => {
                  setOpen(false);
                  onAdd(type);
                }}
              >
                {BLOCK_LABELS[type]}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function BlockCard({
  block,
  index,
  count,
  offer,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  block: Block;
  index: number;
  count: number;
  offer: Offer | null;
  errors: Record<string, string>;
  onChange(patch: Partial<Block>): void;
  onMove(by: -1 | 1): void;
  onRemove(): void;
}) {
  const label = BLOCK_LABELS[block.type];
  const name = `block ${index + 1} (${label})`;
  const own = errors[''] ?? errors.type;
  return (
    <fieldset
      className={`card offer-block${Object.keys(errors).length ? ' offer-block-invalid' : ''}`}
      id={`offer-block-${block.id}`}
      tabIndex={-1}
    >
      <legend className="offer-block-legend">
        <span className="offer-block-number">{index + 1}.</span> {label}
      </legend>
      <div className="offer-block-tools">
        <button
          type="button"
          id={`offer-block-${block.id}-up`}
          className="button button-small"
          onClick={() => onMove(-1)}
          disabled={index === 0}
          aria-label={`Move ${name} up`}
        >
          <span aria-hidden="true">↑</span> Up
        </button>
        <button
          type="button"
          id={`offer-block-${block.id}-down`}
          className="button button-small"
          onClick={() => onMove(1)}
          disabled={index === count - 1}
          aria-label={`Move ${name} down`}
        >
          <span aria-hidden="true">↓</span> Down
        </button>
        <button
          type="button"
          className="button button-small button-danger-quiet"
          onClick={onRemove}
          aria-label={`Remove ${name}`}
        >
          Remove
        </button>
      </div>
      {own && <p className="field-error">{own}</p>}
      <BlockFields block={block} offer={offer} errors={errors} onChange={onChange} />
    </fieldset>
  );
}

function BlockFields({
  block,
  offer,
  errors,
  onChange,
}: {
  block: Block;
  offer: Offer | null;
  errors: Record<string, string>;
  onChange(patch: Partial<Block>): void;
}) {
  const heading =
    'heading' in block ? (
      <TextField
        label="Heading"
        name="heading"
        value={block.heading}
        onValue={(value) => onChange({ heading: value })}
        error={errors.heading}
        maxLength={200}
        autoComplete="off"
      />
    ) : null;
  switch (block.type) {
    case 'hero':
      return (
        <>
          {heading}
          <TextField
            label="Subheading"
            name="subheading"
            value={block.subheading}
            onValue={(subheading) => onChange({ subheading })}
            error={errors.subheading}
            maxLength={500}
            autoComplete="off"
          />
          <Toggle
            label="Show the cover image"
            checked={block.showCover}
            onChange={(showCover) => onChange({ showCover })}
            hint={offer?.coverUrl ? undefined : 'Upload a cover in the Offer tab to show it here.'}
          />
          <p className="field-hint">The hero's button leads to the checkout.</p>
        </>
      );
    case 'text':
      return (
        <TextAreaField
          label="Text"
          name="body"
          value={block.body}
          onValue={(body) => onChange({ body })}
          error={errors.body}
          rows={5}
          hint="A blank line starts a new paragraph."
        />
      );
    case 'image':
      return <ImageFields block={block} offer={offer} errors={errors} onChange={onChange} />;
    case 'benefits':
      return (
        <>
          {heading}
          <ItemList
            noun="benefit"
            items={block.items}
            errors={errors}
            blank=""
            onItems={(items) => onChange({ items })}
            render={(item, i, set) => (
              <TextField
                label={`Benefit ${i + 1}`}
                name={`benefit-${i}`}
                value={item}
                onValue={set}
                error={errors[`items.${i}`] ?? errors[`items.${i}.v`]}
                maxLength={300}
                autoComplete="off"
              />
            )}
          />
        </>
      );
    case 'testimonials':
      return (
        <>
          {heading}
          <ItemList
            noun="testimonial"
            items={block.items}
            errors={errors}
            blank={{ quote: '', author: '' }}
            onItems={(items) => onChange({ items })}
            render={(item, i, set) => (
              <>
                <TextAreaField
                  label={`Quote ${i + 1}`}
                  name={`quote-${i}`}
                  value={item.quote}
                  onValue={(quote) => set({ ...item, quote })}
                  error={errors[`items.${i}.quote`]}
                  rows={2}
                />
                <TextField
                  label={`Author ${i + 1}`}
                  name={`author-${i}`}
                  value={item.author}
                  onValue={(author) => set({ ...item, author })}
                  error={errors[`items.${i}.author`]}
                  autoComplete="off"
                />
              </>
            )}
          />
        </>
      );
    case 'faq':
      return (
        <>
          {heading}
          <ItemList
            noun="question"
            items={block.items}
            errors={errors}
            blank={{ question: '', answer: '' }}
            onItems={(items) => onChange({ items })}
            render={(item, i, set) => (
              <>
                <TextField
                  label={`Question ${i + 1}`}
                  name={`question-${i}`}
                  value={item.question}
                  onValue={(question) => set({ ...item, question })}
                  error={errors[`items.${i}.question`]}
                  autoComplete="off"
                />
                <TextAreaField
                  label={`Answer ${i + 1}`}
                  name={`answer-${i}`}
                  value={item.answer}
                  onValue={(answer) => set({ ...item, answer })}
                  error={errors[`items.${i}.answer`]}
                  rows={2}
                />
              </>
            )}
          />
        </>
      );
    case 'price':
      return (
        <>
          {heading}
          <TextField
            label="Button label"
            name="buttonLabel"
            value={block.buttonLabel}
            onValue={(buttonLabel) => onChange({ buttonLabel })}
            error={errors.buttonLabel}
            hint="Empty: “Join for free” or “Buy now”. The card shows the thumbnail, title, price and the groups it opens."
            maxLength={60}
            autoComplete="off"
          />
        </>
      );
    case 'cta':
      return (
        <>
          {heading}
          <TextAreaField
            label="Text"
            name="body"
            value={block.body}
            onValue={(body) => onChange({ body })}
            error={errors.body}
            rows={3}
          />
          <TextField
            label="Button label"
            name="buttonLabel"
            value={block.buttonLabel}
            onValue={(buttonLabel) => onChange({ buttonLabel })}
            error={errors.buttonLabel}
            hint="The button leads to the checkout."
            maxLength={60}
            autoComplete="off"
          />
        </>
      );
  }
}

function ItemList<T>({
  noun,
  items,
  errors,
  blank,
  onItems,
  render,
}: {
  noun: string;
  items: T[];
  errors: Record<string, string>;
  blank: T;
  onItems(items: T[]): void;
  render(item: T, index: number, set: (value: T) => void): ReactNode;
}) {
  const listError = errors.items;
  const capital = noun.charAt(0).toUpperCase() + noun.slice(1);
  return (
    <div className="offer-items">
      <ul className="offer-item-list">
        {items.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: items have no identity beyond their order
          <li key={i} className="offer-item">
            <div className="offer-item-fields">
              {render(item, i, (value) => onItems(items.map((old, j) => (j === i ? value : old))))}
            </div>
            <button
              type="button"
              className="button button-small button-danger-quiet"
              onClick={() => onItems(items.filter((_, j) => j !== i))}
              aria-label={`Remove ${noun} ${i + 1}`}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      {listError && <p className="field-error">{fieldMessage(`${capital}s`, listError)}</p>}
      <button
        type="button"
        className="button button-small"
        onClick={() => onItems([...items, blank])}
        disabled={items.length >= MAX_ITEMS}
      >
        Add {noun}
      </button>
    </div>
  );
}

function ImageFields({
  block,
  offer,
  errors,
  onChange,
}: {
  block: Extract<Block, { type: 'image' }>;
  offer: Offer | null;
  errors: Record<string, string>;
  onChange(patch: Partial<Block>): void;
}) {
  const action = useAction();
  const [inputKey, setInputKey] = useState(0);
  const inputId = useId();
  const error = action.errors.fields.image ?? errors.imageUrl;
  const general =
    action.errors.message && !error && action.errors.code !== 'client' ? action.errors.message : null;
  const upload = async (file: File | undefined) => {
    if (!file || !offer) return;
    const problem = imageProblem(file);
    if (problem) {
      action.fail({ image: problem });
      setInputKey((n) => n + 1);
      return;
    }
    const result = await action.run(() => uploadOfferMedia(offer.id, 'landing', file));
    setInputKey((n) => n + 1);
    if (result.ok && result.value.url) onChange({ imageUrl: result.value.url });
  };
  return (
    <>
      <div className="offer-media">
        {block.imageUrl ? (
          <img className="offer-media-preview offer-media-preview-landing" src={block.imageUrl} alt="" />
        ) : (
          <div className="offer-media-preview offer-media-preview-landing offer-media-empty">
            <span>No image</span>
          </div>
        )}
        <ImageUploadField
          inputId={inputId}
          inputKey={inputKey}
          label={block.imageUrl ? 'Replace image' : 'Upload image'}
          hint={
            offer
              ? 'PNG, JPEG, WebP or GIF, at most 5 MB. The block is hidden until it has an image.'
              : 'Save the draft first; then you can upload images.'
          }
          errorLabel="Image"
          error={error}
          disabled={!offer || action.pending}
          pending={action.pending}
          onFile={(file) => void upload(file)}
        >
          {general && <p className="field-error">{general}</p>}
        </ImageUploadField>
      </div>
      <TextField
        label="Alt text"
        name="alt"
        value={block.alt}
        onValue={(alt) => onChange({ alt })}
        error={errors.alt}
        hint="What the image shows, for people who cannot see it."
        maxLength={300}
        autoComplete="off"
      />
      <TextField
        label="Caption"
        name="caption"
        value={block.caption}
        onValue={(caption) => onChange({ caption })}
        error={errors.caption}
        maxLength={300}
        autoComplete="off"
      />
    </>
  );
}

// Landing-page blocks: the same React components render the public page on the server and the
// preview in the dashboard's editor, so the preview is what the visitor gets. Pure: no browser or
// server APIs, text rendered as text (React escapes it); only our own image URLs are used.

import type { Block, BlockType } from '../modules/offers/landing.ts';

// The blocks' shape is their schema's (src/modules/offers/landing.ts); the views only render them.
export type { Block, BlockType };

export const BLOCK_LABELS: Record<BlockType, string> = {
  hero: 'Hero with cover',
  text: 'Text',
  image: 'Image',
  benefits: 'Benefits list',
  testimonials: 'Testimonials',
  faq: 'FAQ',
  price: 'Price card with buy button',
  cta: 'Call to action',
};

/** What a public page knows of its offer. */
export interface PublicOffer {
  slug: string;
  title: string;
  /** The creator's sentence or two about it ('' for none). */
  description: string;
  priceLabel: string;
  trialLabel: string | null;
  isFree: boolean;
  coverUrl: string | null;
  thumbnailUrl: string | null;
  /** Where the buy buttons go (the checkout page, with the referral code when there is one). */
  checkoutUrl: string;
  /** The groups a buyer enters; hidden ones only in a staff preview, marked so. */
  grants: { name: string; emoji: string | null; hidden?: boolean }[];
  /** The signed-in visitor already has this offer: the buttons open it instead of selling it again. */
  owned?: { label: string; href: string } | null;
}

/** A fresh block of a type, with text a creator edits from. */
export function newBlock(type: BlockType, id: string): Block {
  switch (type) {
    case 'hero':
      return {
        id,
        type,
        heading: 'Your headline',
        subheading: 'One sentence on what members get.',
        showCover: true,
      };
    case 'text':
      return { id, type, body: 'Tell visitors what this membership is about.' };
    case 'image':
      return { id, type, imageUrl: null, alt: '', caption: '' };
    case 'benefits':
      return {
        id,
        type,
        heading: 'What you get',
        items: ['Access to the community', 'New content every week'],
      };
    case 'testimonials':
      return {
        id,
        type,
        heading: 'What members say',
        items: [{ quote: 'The best decision I made this year.', author: 'A member' }],
      };
    case 'faq':
      return {
        id,
        type,
        heading: 'Questions',
        items: [{ question: 'Can I cancel any time?', answer: 'Yes.' }],
      };
    case 'price':
      return { id, type, heading: 'Join today', buttonLabel: 'Join now' };
    case 'cta':
      return { id, type, heading: 'Ready?', body: '', buttonLabel: 'Get started' };
  }
}

function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n{2,}/)
        .map((paragraph) => paragraph.trim())
        .filter(Boolean)
        .map((paragraph, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs have no identity beyond their order
          <p key={index}>
            {paragraph.split('\n').map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their order
              <span key={i}>
                {i > 0 && <br />}
                {line}
              </span>
            ))}
          </p>
        ))}
    </>
  );
}

function BuyButton({ offer, label }: { offer: PublicOffer; label: string }) {
  if (offer.owned) {
    return (
      <a className="op-button" href={offer.owned.href}>
        {offer.owned.label}
      </a>
    );
  }
  return (
    <a className="op-button" href={offer.checkoutUrl}>
      {label || (offer.isFree ? 'Join for free' : 'Buy now')}
    </a>
  );
}

export function BlockView({ block, offer }: { block: Block; offer: PublicOffer }) {
  switch (block.type) {
    case 'hero':
      return (
        <section className="op-block op-hero">
          {block.showCover && offer.coverUrl && <img className="op-hero-cover" src={offer.coverUrl} alt="" />}
          <div className="op-hero-text">
            <h1>{block.heading || offer.title}</h1>
            {block.subheading && <p className="op-lead">{block.subheading}</p>}
            <BuyButton offer={offer} label="" />
          </div>
        </section>
      );
    case 'text':
      return (
        <section className="op-block op-text">
          <Paragraphs text={block.body} />
        </section>
      );
    case 'image':
      return block.imageUrl ? (
        <figure className="op-block op-image">
          <img src={block.imageUrl} alt={block.alt} loading="lazy" />
          {block.caption && <figcaption>{block.caption}</figcaption>}
        </figure>
      ) : null;
    case 'benefits':
      return (
        <section className="op-block op-benefits">
          {block.heading && <h2>{block.heading}</h2>}
          <ul>
            {block.items.filter(Boolean).map((item, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: items are plain strings in the creator's order
              <li key={index}>{item}</li>
            ))}
          </ul>
        </section>
      );
    case 'testimonials':
      return (
        <section className="op-block op-testimonials">
          {block.heading && <h2>{block.heading}</h2>}
          {block.items.map((item, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: testimonials have no identity beyond their order
            <blockquote key={index}>
              <p>“{item.quote}”</p>
              {item.author && <footer>— {item.author}</footer>}
            </blockquote>
          ))}
        </section>
      );
    case 'faq':
      return (
        <section className="op-block op-faq">
          {block.heading && <h2>{block.heading}</h2>}
          {block.items.map((item, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: questions have no identity beyond their order
            <details key={index}>
              <summary>{item.question}</summary>
              <Paragraphs text={item.answer} />
            </details>
          ))}
        </section>
      );
    case 'price':
      return (
        <section className="op-block op-price">
          {block.heading && <h2>{block.heading}</h2>}
          <div className="op-price-card">
            {offer.thumbnailUrl && <img src={offer.thumbnailUrl} alt="" className="op-thumb" />}
            <div>
              <div className="op-price-title">{offer.title}</div>
              <div className="op-price-amount">{offer.priceLabel}</div>
              {offer.trialLabel && <div className="op-trial">{offer.trialLabel}</div>}
              {offer.grants.length > 0 && <GrantList grants={offer.grants} />}
            </div>
            <BuyButton offer={offer} label={block.buttonLabel} />
          </div>
        </section>
      );
    case 'cta':
      return (
        <section className="op-block op-cta">
          {block.heading && <h2>{block.heading}</h2>}
          <Paragraphs text={block.body} />
          <BuyButton offer={offer} label={block.buttonLabel} />
        </section>
      );
  }
}

export function LandingBlocks({ blocks, offer }: { blocks: Block[]; offer: PublicOffer }) {
  return (
    <div className="op-landing">
      {blocks.map((block) => (
        <BlockView key={block.id} block={block} offer={offer} />
      ))}
    </div>
  );
}

/** What a buyer gets: the groups the offer opens. */
export function GrantList({ grants }: { grants: PublicOffer['grants'] }) {
  return (
    <ul className="op-grants">
      {grants.map((group) => (
        <li key={group.name}>
          {group.emoji ? `${group.emoji} ` : ''}
          {group.name}
          {group.hidden && (
            <span className="op-muted"> (hidden: buyers enter it, visitors do not see it)</span>
          )}
        </li>
      ))}
    </ul>
  );
}

// `guildhall demo`: a sample community on the offline Stripe emulator, so a newcomer can buy a $0.50
// membership with a test card within minutes and see what a creator and a member see. Everything it
// makes goes through the same services a creator's clicks use.
import sharp from 'sharp';
import type { Services } from './services.ts';

export const DEMO_OWNER = { email: 'owner@demo.test', password: 'demo password 1', name: 'Dana Demo' };

async function cover(color: string, width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .png()
    .toBuffer();
}

/**
 * Seeds the demo once (an existing owner means it ran before): the owner, groups with a first post,
 * Stripe connected to the emulator with a test key, and three published offers. Answers their slugs.
 */
export async function seedDemo(
  services: Services,
): Promise<{ seeded: boolean; offers: { title: string; slug: string }[] }> {
  const { auth, users, hub, offers, stripe, settings } = services;
  if (!(await auth.needsSetup())) {
    const owner = await users.operatorActor();
    const page = await offers.listOffers(owner, { limit: 10 });
    return { seeded: false, offers: page.data.map((row) => ({ title: row.title, slug: row.slug })) };
  }
  await auth.createOwner(DEMO_OWNER);
  const owner = await users.operatorActor();
  await settings.updateSettings({ platformName: 'Strong Together (demo)', supportEmail: 'help@demo.test' });
  await stripe.connect(owner, { secretKey: 'sk_test_guildhall_demo' });

  const general = await hub.createGroup(owner, {
    name: 'Town Square',
    visibility: 'public',
    description: 'Open to every member.',
  });
  const yoga = await hub.createGroup(owner, {
    name: 'Morning Yoga',
    visibility: 'private',
    description: 'Daily sessions for members.',
    paywallCta: 'Join Morning Yoga for $0.50',
  });
  const coaching = await hub.createGroup(owner, {
    name: 'Coaching Circle',
    visibility: 'private',
    description: 'Weekly calls and feedback.',
  });
  await hub.createPost(owner, general.id, {
    title: 'Welcome to the demo',
    body: 'This community runs on Guildhall with an offline Stripe. Buy a membership with the card 4242 4242 4242 4242 to see the member side.',
  });
  await hub.createPost(owner, yoga.id, {
    title: 'Today: sun salutations',
    body: 'Ten minutes, no equipment.',
  });

  const made: { title: string; slug: string }[] = [];
  const specs = [
    {
      title: 'Morning Yoga',
      pricing: {
        model: 'one_time' as const,
        amountMinor: 50,
        currency: 'usd',
        interval: null,
        intervalCount: null,
        trialDays: null,
      },
      hubGroupIds: [yoga.id],
      color: '#6b8f71',
    },
    {
      title: 'Coaching Circle',
      pricing: {
        model: 'recurring' as const,
        amountMinor: 900,
        currency: 'usd',
        interval: 'month' as const,
        intervalCount: 1,
        trialDays: 7,
      },
      hubGroupIds: [coaching.id, yoga.id],
      color: '#3b4cca',
    },
    {
      title: 'Open House',
      pricing: {
        model: 'free' as const,
        amountMinor: 0,
        currency: 'usd',
        interval: null,
        intervalCount: null,
        trialDays: null,
      },
      hubGroupIds: [general.id],
      color: '#c77d2e',
    },
  ];
  for (const spec of specs) {
    const created = await offers.createOffer(owner, {
      type: 'membership',
      title: spec.title,
      pricing: spec.pricing,
      hubGroupIds: spec.hubGroupIds,
      resell:
        spec.pricing.model === 'free'
          ? undefined
          : { enabled: true, commissionPercent: 30, description: 'Share it with a friend.' },
    });
    await offers.uploadMedia(owner, created.row.id, 'thumbnail', await cover(spec.color, 400, 400));
    const published = await offers.updateOffer(owner, created.row.id, { status: 'published' });
    made.push({ title: published.row.title, slug: published.row.slug });
  }
  return { seeded: true, offers: made };
}

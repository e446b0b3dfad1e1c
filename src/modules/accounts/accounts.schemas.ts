import { Type } from 'typebox';
import { NullableTimestamp, Timestamp } from '../../platform/http/schemas.ts';

const Email = Type.String({ minLength: 1, maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 256 });
const Name = Type.String({ maxLength: 200 });
const Token = Type.String({ minLength: 1, maxLength: 200 });

const NotifyEmail = Type.Union([Type.Literal('instant'), Type.Literal('daily'), Type.Literal('off')], {
  description: 'How notifications reach you by email: at once, in a daily digest, or not',
});
const EmailAbout = Type.Object(
  {
    replies: Type.Boolean({ description: 'Comments on your posts and replies to your comments' }),
    mentions: Type.Boolean({ description: 'Someone mentions you' }),
    posts: Type.Boolean({ description: 'New posts in groups you follow' }),
  },
  { description: 'Which notifications go out by email (when notifyEmail is not off)' },
);

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]),
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]),
  emailVerified: Type.Boolean(),
  hasPassword: Type.Boolean(),
  createdAt: Timestamp,
  lastSeenAt: NullableTimestamp,
  totalSpending: Type.Object({ amountMinor: Type.Integer(), currency: Type.String() }),
  notifyEmail: NotifyEmail,
  emailAbout: EmailAbout,
});

export const UserEnvelope = Type.Object({ user: User });

export const SetupStatus = Type.Object({ needsSetup: Type.Boolean(), platformName: Type.String() });
export const SetupBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 200 }),
  platformName: Name,
  name: Name,
  email: Email,
  password: Password,
  supportEmail: Type.Optional(
    Type.String({ maxLength: 254, description: 'Where members can write; empty leaves it unset' }),
  ),
});
export const LoginBody = Type.Object({ email: Email, password: Password });
export const EmailBody = Type.Object({ email: Email });
export const TokenBody = Type.Object({ token: Token });
export const SetPasswordBody = Type.Object({ token: Token, password: Password });
export const ProfileBody = Type.Object(
  {
    name: Type.Optional(Name),
    notifyEmail: Type.Optional(NotifyEmail),
    emailAbout: Type.Optional(Type.Partial(EmailAbout, { minProperties: 1 })),
  },
  { minProperties: 1 },
);
export const EmailChangeBody = Type.Object({ email: Email, currentPassword: Type.Optional(Password) });
export const PasswordChangeBody = Type.Object({
  currentPassword: Type.Optional(Password),
  newPassword: Password,
});
export const Accepted = Type.Object({ ok: Type.Literal(true) });

export const CreateUserBody = Type.Object({
  email: Email,
  name: Type.Optional(Name),
  role: Type.Optional(Type.Union([Type.Literal('member'), Type.Literal('admin')])),
});
export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Name),
    role: Type.Optional(Type.Union([Type.Literal('member'), Type.Literal('admin')])),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('deactivated')])),
  },
  { minProperties: 1 },
);

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
  user: Type.Object({ id: Type.String(), email: Type.String() }),
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
});
export const CreateApiKeyBody = Type.Object({ name: Name });
export const CreatedApiKey = Type.Object({
  apiKey: ApiKey,
  key: Type.String({ description: 'The key itself; shown only in this response' }),
});

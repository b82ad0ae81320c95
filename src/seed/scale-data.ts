import { Noise, uuidOf } from './noise.js';
import type { TaskRow, UserRow } from './rows.js';

/**
 * The fixed "now" of scale data. Timestamps are spread over the two years before
 * it, never relative to the clock, so the same seed gives the same rows tomorrow.
 */
export const SCALE_EPOCH = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const HISTORY = 730 * DAY;

/** Noise streams: one per kind of value, so no two kinds ever share an input. */
const STREAM = { userId: 1, user: 2, taskId: 3, task: 4 } as const;

export interface ScaleShape {
  users: number;
  tasksPerUser: number;
  /** unsigned 32-bit */
  seed: number;
}

const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Liam',
  'Mira',
  'Noah',
  'Olga',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
  'Uma',
  'Viktor',
  'Wen',
  'Yara',
  'Zoe',
];
const LAST = [
  'Adams',
  'Baker',
  'Costa',
  'Dubois',
  'Eze',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quispe',
  'Rossi',
  'Silva',
  'Tanaka',
  'Usman',
  'Varga',
  'Weber',
  'Yilmaz',
  'Zhang',
];
const VERBS = [
  'Review',
  'Write',
  'Call',
  'Email',
  'Fix',
  'Plan',
  'Book',
  'Update',
  'Prepare',
  'Buy',
  'Clean',
  'Schedule',
  'Read',
  'Send',
  'Check',
  'Draft',
  'Renew',
  'Organise',
  'Pay',
  'Test',
];
const OBJECTS = [
  'the quarterly report',
  'dentist appointment',
  'team offsite',
  'grocery list',
  'insurance papers',
  'blog post',
  'flight to Lisbon',
  'kitchen sink',
  'project roadmap',
  'birthday present',
  'tax return',
  'onboarding docs',
  'garden hose',
  'pull request',
  'car service',
  'library books',
  'invoice #1042',
  'passport',
  'slide deck',
  'weekly menu',
  'release notes',
  'gym membership',
  'bike tyres',
  'landlord',
  'backup drive',
];
const WHEN = ['', '', '', ' today', ' tomorrow', ' this week', ' before Friday', ' next month', ' (urgent)', ' again'];
const DESCRIPTIONS = [
  'Ask about the open questions from last time.',
  'Needs the numbers from finance first.',
  'Keep it short: one page, three bullet points.',
  'Check the receipts folder before starting.',
  'Remember to bring the printed copy.',
  'Shared with the team; comment in the doc.',
  'Low priority unless it blocks something else.',
  'See the thread from Monday for the details.',
];

function pad(n: number): string {
  return String(n).padStart(6, '0');
}

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const days = new Map<number, string>();

/**
 * `new Date(ms).toISOString()` for whole seconds, about ten times faster: it ran
 * two million times per million tasks and was the largest cost of generating them.
 */
export function iso(ms: number): string {
  const day = Math.floor(ms / DAY);
  let date = days.get(day);
  if (date === undefined) {
    date = new Date(day * DAY).toISOString().slice(0, 11);
    days.set(day, date);
  }
  const s = Math.floor((ms - day * DAY) / 1000);
  return `${date}${TWO[Math.floor(s / 3600)]}:${TWO[Math.floor(s / 60) % 60]}:${TWO[s % 60]}.000Z`;
}

/** The email of scale user `index` (0-based): namespaced by seed so two seeds never collide. */
export function scaleEmail(seed: number, index: number): string {
  return `user${pad(index + 1)}.s${seed}@example.com`;
}

/** User `index` of a seed: a pure function of (seed, index). */
export function scaleUser(seed: number, index: number, noise = new Noise()): UserRow {
  const id = uuidOf(noise.of(seed, STREAM.userId, index, 0));
  const w = noise.of(seed, STREAM.user, index, 0);
  const created = SCALE_EPOCH - HISTORY + Math.floor(((w[0]! / 2 ** 32) * (HISTORY - 30 * DAY)) / 1000) * 1000;
  const first = FIRST[w[1]! % FIRST.length]!;
  const last = LAST[(w[1]! >>> 8) % LAST.length]!;
  return {
    id,
    email: scaleEmail(seed, index),
    email_verified: w[2]! % 100 < 85,
    name: `${first} ${last}`,
    image: null,
    created_at: iso(created),
    updated_at: iso(created),
  };
}

/** Every user of the shape, lazily: memory stays flat however many there are. */
export function* scaleUsers(shape: ScaleShape): Generator<UserRow> {
  const noise = new Noise();
  for (let i = 0; i < shape.users; i++) yield scaleUser(shape.seed, i, noise);
}

/**
 * Task `index` of user `userIndex`; `userCreatedMs` and `userId` come from that
 * user so its tasks start after it signed up.
 */
export function scaleTask(seed: number, userIndex: number, index: number, userId: string, userCreatedMs: number, noise = new Noise()): TaskRow {
  const id = uuidOf(noise.of(seed, STREAM.taskId, userIndex, index));
  const w = noise.of(seed, STREAM.task, userIndex, index);
  const title = `${VERBS[w[0]! % VERBS.length]} ${OBJECTS[(w[0]! >>> 8) % OBJECTS.length]}${WHEN[(w[0]! >>> 16) % WHEN.length]}`;
  const created = userCreatedMs + Math.floor(((w[1]! / 2 ** 32) * (SCALE_EPOCH - userCreatedMs)) / 1000) * 1000;
  const completed = w[2]! % 100 < 40;
  const edited = completed || w[2]! % 100 >= 75;
  const updated = edited ? Math.min(SCALE_EPOCH, created + (w[3]! % (14 * 86_400)) * 1000) : created;
  const describe = (w[2]! >>> 8) % 100 < 30;
  return {
    id,
    user_id: userId,
    title,
    description: describe ? DESCRIPTIONS[(w[2]! >>> 16) % DESCRIPTIONS.length]! : null,
    completed,
    created_at: iso(created),
    updated_at: iso(updated),
  };
}

/** Every task of the shape, user by user, lazily. */
export function* scaleTasks(shape: ScaleShape): Generator<TaskRow> {
  const noise = new Noise();
  for (let u = 0; u < shape.users; u++) {
    const user = scaleUser(shape.seed, u, noise);
    const userCreated = Date.parse(user.created_at);
    for (let t = 0; t < shape.tasksPerUser; t++) yield scaleTask(shape.seed, u, t, user.id, userCreated, noise);
  }
}

/**
 * Synthetic people and their channel accounts. A person has a name, city, habits
 * (purchase rate, dropout, deal seeking, novelty seeking, favourite category,
 * return propensity) and one to four accounts on different channels. Accounts of
 * one person share a phone or email written in varied formats so they can be
 * joined; identifiers that must be unique are bijections of the person's index,
 * so no two people collide. Deliberate traps: a store placeholder phone typed on
 * many POS cards and a family email shared by up to three people.
 */
import { hash32, type Rng } from '../core/random.js';
import { DAY } from './calendar.js';
import { quote } from './csv.js';
import { CHANNELS, type Channel, type ChannelIndex, type Contact, type World } from './world.js';
import { CITIES, EMAIL_DOMAINS, GIVEN, NICKNAMES, STORES, SURNAMES, CATEGORIES } from './vocab.js';

/** The phone a store types when the customer gives none: shared by many unrelated people. */
export const PLACEHOLDER_PHONE = '13800000000';
/** Most people a generated dataset can hold while every identifier stays unique. */
export const MAX_MEMBERS = 30_000_000;

export interface Consent {
  readonly contact: Contact;
  readonly at: number;
  readonly source: string;
  /** When it was withdrawn, or Infinity. */
  withdrawn: number;
}

export interface PendingCoupon {
  readonly code: string;
  readonly valueCents: number;
  readonly thresholdCents: number;
  readonly from: number;
  readonly to: number;
  used: boolean;
}

export interface Account {
  readonly ch: ChannelIndex;
  readonly channel: Channel;
  readonly externalId: string;
  /** When the account was opened (seconds; negative before the period). */
  readonly reg: number;
  /** Whether it has a members.csv row (some marketplace buyers are known only from their orders). */
  readonly member: boolean;
  readonly inStore: boolean;
  readonly storeId: string;
  /** members.csv columns phone, email, wechat_unionid, wechat_openid, pos_card. */
  readonly memberIds: string;
  /** members.csv columns name, gender, birthday, city. */
  readonly memberProfile: string;
  /** buyer_* columns of orders and returns. */
  readonly buyerIds: string;
  /** buyer_* columns of events. */
  readonly eventIds: string;
  readonly buyerName: string;
  readonly consents: Consent[];
  readonly coupons: PendingCoupon[];
  /** Relative preference when the person shops. */
  readonly weight: number;
  /** Set once the account appears in any file. */
  used: boolean;
}

export interface Person {
  readonly idx: number;
  readonly id: string;
  readonly accounts: Account[];
  /** When the person first registered anywhere. */
  readonly reg: number;
  /** Registered before the period. */
  readonly existing: boolean;
  /** Ever buys (some people only register, some earlier members have lapsed). */
  readonly buyer: boolean;
  /** Purchases per day while active (before seasonality). */
  readonly lambda: number;
  /** Chance of becoming inactive after each purchase. */
  readonly dropout: number;
  readonly deal: boolean;
  readonly novelty: boolean;
  readonly category: number;
  readonly returns: number;
  /** Browsing sessions per day while interested. */
  readonly browse: number;
}

const SURNAME_W = SURNAMES.map((s) => s[2]);
const CITY_W = CITIES.map((c) => c[1]);
const DOMAIN_W = EMAIL_DOMAINS.map((d) => d[1]);
const CHANNEL_W = [34, 14, 16, 20, 16];
const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** (n * a + salt) mod m: a bijection of n < m when a and m are coprime; the caller keeps n * a exact. */
function mix(n: number, a: number, salt: number, m: number): number {
  return (n * a + (salt % m)) % m;
}

function base36(n: number, width: number): string {
  return n.toString(36).padStart(width, '0');
}

function randomChars(rng: Rng, k: number): string {
  let s = '';
  for (let i = 0; i < k; i++) s += B36[rng.int(0, 35)];
  return s;
}

/** The n-th distinct mobile number of the dataset (n < 1e9). */
function mobile(n: number, salt: number): string {
  const nine = mix(n, 123456791, salt, 1_000_000_000);
  let second = 3 + ((n + salt) % 7);
  if (second === 3 && nine === 800_000_000) second = 9;
  return `1${second}${String(nine).padStart(9, '0')}`;
}

/** A phone as people type it: mostly plain, sometimes with the country code, spaces or dashes. */
function writePhone(rng: Rng, p: string): string {
  const r = rng.next();
  if (r < 0.74) return p;
  if (r < 0.82) return `+86 ${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`;
  if (r < 0.88) return `+86${p}`;
  if (r < 0.93) return `0086 ${p}`;
  return `${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`;
}

function masked(p: string): string {
  return `${p.slice(0, 3)}****${p.slice(7)}`;
}

/** An email as people type it: sometimes capitalised or with stray spaces. */
function writeEmail(rng: Rng, e: string): string {
  const r = rng.next();
  if (r < 0.08) return e.charAt(0).toUpperCase() + e.slice(1);
  if (r < 0.11) return e.toUpperCase();
  if (r < 0.15) return ` ${e} `;
  return e;
}

function pickDistinctChannels(rng: Rng, k: number, family: boolean): ChannelIndex[] {
  const out: ChannelIndex[] = [];
  if (family) out.push(2);
  const weights = [...CHANNEL_W];
  for (const c of out) weights[c] = 0;
  while (out.length < k) {
    const c = rng.weighted([0, 1, 2, 3, 4] as const, weights);
    weights[c] = 0;
    out.push(c);
  }
  return out;
}

/** Makes person number idx from its own stream. */
export function makePerson(w: World, idx: number, rng: Rng): Person {
  const cal = w.cal;
  const salt = w.idSalt;
  const female = rng.chance(0.78);
  const [surname, surPinyin] = rng.weighted(SURNAMES, SURNAME_W);
  const givenPool = GIVEN.filter((g) => g[2] === 'X' || g[2] === (female ? 'F' : 'M'));
  const g1 = rng.pick(givenPool);
  const g2 = rng.chance(0.6) ? rng.pick(givenPool) : null;
  const name = `${surname}${g1[0]}${g2?.[0] ?? ''}`;
  const pinyin = `${surPinyin}${g1[1]}${g2?.[1] ?? ''}`;
  const [city] = rng.weighted(CITIES, CITY_W);
  const local = STORES.filter((s) => s[1] === city);
  const storeId = (local.length > 0 ? rng.pick(local) : rng.pick(STORES))[0];
  const year = Math.round(Math.min(2006, Math.max(1960, rng.normal(1992, 8))));
  const birthday = `${year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const gender = female ? 'F' : 'M';

  const phone = mobile(idx, salt);
  const altPhone = mobile(w.members + idx, salt);
  const email = `${pinyin}${base36(mix(idx, 1000003, salt, 36 ** 5), 5)}@${rng.weighted(EMAIL_DOMAINS, DOMAIN_W)[0]}`;
  const block = Math.floor(idx / 3);
  const family = hash32(`${w.seed}/family/${block}`) % 1000 < 25;
  const familyEmail = `family.${base36(mix(block, 1000003, salt + 7, 36 ** 5), 5)}@163.com`;

  const existing = rng.chance(0.3);
  const firstChannels = pickDistinctChannels(rng, rng.weighted([1, 2, 3, 4], [66, 22, 8, 4]), family);
  const firstStore = firstChannels[0] === 4;
  let reg: number;
  if (existing) reg = -rng.int(1, 1000) * DAY + cal.timeOfDay(rng, firstStore, 0);
  else {
    const day = Math.max(0, cal.dayAt(cal.cumNormal, rng.next() * (cal.cumNormal[cal.days] ?? 0)));
    reg = day * DAY + cal.timeOfDay(rng, firstStore, day);
  }

  const accounts: Account[] = [];
  firstChannels.forEach((ch, k) => {
    const at = k === 0 ? reg : reg + Math.round(rng.exponential(1 / 200) * DAY);
    if (at >= cal.end) return;
    const usesAlt = k > 0 && rng.chance(0.07);
    const ownPhone = usesAlt ? altPhone : phone;
    accounts.push(
      makeAccount(rng, {
        ch,
        at,
        idx,
        salt,
        phone: ownPhone,
        email: family && ch === 2 ? familyEmail : email,
        name,
        storeId,
        profile: [gender, birthday, city],
        weight: k === 0 ? 3 : 1 + rng.next() * 2,
      }),
    );
  });

  const buyer = rng.chance(existing ? 0.6 : 0.8);
  return {
    idx,
    id: `P${String(idx + 1).padStart(8, '0')}`,
    accounts,
    reg,
    existing,
    buyer,
    lambda: rng.gamma(0.6, 1 / 30),
    dropout: rng.beta(1.2, 3.5),
    deal: rng.chance(0.3),
    novelty: rng.chance(0.15),
    category: rng.int(0, CATEGORIES.length - 1),
    returns: rng.gamma(2, 0.5),
    browse: rng.gamma(1, 1 / 250),
  };
}

interface AccountSpec {
  ch: ChannelIndex;
  at: number;
  idx: number;
  salt: number;
  phone: string;
  email: string;
  name: string;
  storeId: string;
  profile: [string, string, string];
  weight: number;
}

function makeAccount(rng: Rng, s: AccountSpec): Account {
  const { ch, idx, salt } = s;
  const channel = CHANNELS[ch];
  let id: string;
  let memberPhone = '';
  let memberEmail = '';
  let unionid = '';
  let openid = '';
  let card = '';
  let orderPhone = '';
  let memberName = s.name;
  let buyerName = s.name;
  const [gender, birthday, city] = s.profile;
  let showGender = rng.chance(0.7);
  let showBirthday = rng.chance(0.3);
  const consents: Consent[] = [];
  const grant = (contact: Contact, p: number, source: string): void => {
    if (rng.chance(p)) consents.push({ contact, at: s.at + rng.int(0, 300), source, withdrawn: Infinity });
  };
  let member = true;
  switch (channel) {
    case 'tmall': {
      id = `tb_${randomChars(rng, 3)}${base36(mix(idx, 48271, salt, 36 ** 6), 6)}`;
      const r = rng.next();
      memberPhone = r < 0.65 ? writePhone(rng, s.phone) : r < 0.8 ? masked(s.phone) : '';
      orderPhone = rng.chance(0.7) ? masked(s.phone) : writePhone(rng, s.phone);
      memberName = rng.chance(0.4) ? s.name : '';
      showGender = rng.chance(0.3);
      showBirthday = false;
      member = rng.chance(0.75);
      if (member && memberPhone !== '' && !memberPhone.includes('*')) grant('sms', 0.4, 'tmall_membership');
      break;
    }
    case 'jd':
      id = `jd_${base36(mix(idx, 69623, salt, 36 ** 6), 6)}${randomChars(rng, 4)}`;
      memberPhone = rng.chance(0.9) ? writePhone(rng, s.phone) : '';
      memberEmail = rng.chance(0.25) ? writeEmail(rng, s.email) : '';
      orderPhone = rng.chance(0.8) ? writePhone(rng, s.phone) : masked(s.phone);
      memberName = rng.chance(0.5) ? s.name : '';
      if (memberPhone !== '') grant('sms', 0.5, 'registration');
      break;
    case 'shopify':
      id = `7${String(mix(idx, 104729, salt, 1_000_000_000)).padStart(9, '0')}${rng.int(100, 999)}`;
      memberEmail = writeEmail(rng, s.email);
      memberPhone = rng.chance(0.65) ? writePhone(rng, s.phone) : '';
      orderPhone = memberPhone;
      grant('email', 0.75, 'checkout');
      if (memberPhone !== '') grant('sms', 0.3, 'checkout');
      grant('app_push', 0.25, 'app');
      break;
    case 'wechat': {
      openid = `o${randomChars(rng, 5)}${base36(mix(idx, 16807, salt, 36 ** 6), 6)}${randomChars(rng, 16)}`;
      id = openid;
      unionid = rng.chance(0.85) ? `oU${base36(mix(idx, 40693, salt, 36 ** 6), 6)}${randomChars(rng, 20)}` : '';
      memberPhone = rng.chance(0.7) ? writePhone(rng, s.phone) : '';
      orderPhone = rng.chance(0.6) ? writePhone(rng, s.phone) : '';
      memberName = rng.pick(NICKNAMES);
      buyerName = rng.chance(0.7) ? s.name : memberName;
      grant('wechat', 0.8, 'mini_program');
      break;
    }
    case 'pos': {
      card = `8${String(mix(idx, 130363, salt, 1_000_000_000)).padStart(9, '0')}${rng.int(10, 99)}`;
      id = card;
      const placeholder = rng.chance(0.08);
      memberPhone = placeholder ? PLACEHOLDER_PHONE : rng.chance(0.92) ? writePhone(rng, s.phone) : '';
      memberEmail = rng.chance(0.3) ? writeEmail(rng, s.email) : '';
      orderPhone = memberPhone;
      buyerName = rng.chance(0.5) ? s.name : '';
      showBirthday = rng.chance(0.6);
      if (memberPhone !== '') grant('sms', 0.65, 'store');
      break;
    }
  }
  const inStore = channel === 'pos';
  const storeId = inStore ? s.storeId : '';
  const q = quote;
  return {
    ch,
    channel,
    externalId: id,
    reg: s.at,
    member,
    inStore,
    storeId,
    memberIds: `${q(memberPhone)},${q(memberEmail)},${unionid},${openid},${card}`,
    memberProfile: `${q(memberName)},${showGender ? gender : ''},${showBirthday ? birthday : ''},${city}`,
    buyerIds: `${id},${q(orderPhone)},${q(channel === 'shopify' ? memberEmail : '')},${unionid},${openid},${card}`,
    eventIds: `${id},,,${unionid},${openid},${card}`,
    buyerName: q(buyerName),
    consents: member ? consents : [],
    coupons: [],
    weight: s.weight,
    used: false,
  };
}

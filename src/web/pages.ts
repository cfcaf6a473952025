/** The console's pages, in menu order: each reads the API and draws pictures first, tables second. */
import type { Ctx } from './main.js';
import { overview } from './pages/overview.js';
import { links } from './pages/links.js';
import { repeat } from './pages/repeat.js';
import { lifecycle } from './pages/lifecycle.js';
import { rfm } from './pages/rfm.js';
import { review } from './pages/review.js';
import { members } from './pages/members.js';
import { importPage } from './pages/import.js';
import { settings } from './pages/settings.js';
import { campaigns } from './campaigns.js';
import { segments } from './segments.js';
import { products, service } from './products.js';
import { loyalty } from './pages/loyalty.js';
import { coupons } from './pages/coupons.js';
import { models } from './pages/models.js';

export const PAGES: Record<string, (c: Ctx) => Promise<void>> = {
  overview,
  review,
  links,
  repeat,
  lifecycle,
  rfm,
  members,
  segments,
  campaigns,
  loyalty,
  coupons,
  models,
  products,
  service,
  import: importPage,
  settings,
};

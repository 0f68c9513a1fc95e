import type { Child } from 'hono/jsx';
import type { Ctx } from '../../platform/context.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import type { OrderLineView, OrderView } from './schema.ts';

/**
 * What other modules show on the order page (issue 15: the order page no longer imports them).
 * Each module declares its panels (module.ts `orderPagePanels`); the page loads them once per request
 * and puts their parts in place, in rank order.
 */

/** What a panel is given: the order as the reader may see it, in the reader's language. */
export interface OrderPageRequest {
  ctx: Ctx;
  t: Translate;
  locale: Locale;
  order: OrderView;
  /** The page's query (e.g. the outcome of an action whose route redirected back here). */
  query: Readonly<Record<string, string>>;
}

/** Where a panel's parts go. */
export interface OrderPanelParts {
  /** Above the order's facts: a notice, a script the panel's controls need. */
  top?: Child;
  /** In a line's contact cell, under its address. */
  lineContact?(line: OrderLineView): Child;
  /** In a line's status cell, under its badge. */
  lineStatus?(line: OrderLineView): Child;
}

export interface OrderPagePanel {
  /** Unique across modules: `module.what`. */
  readonly name: string;
  /** Order within each place, lowest first: the list of modules does not decide it. */
  readonly rank: number;
  /** Reads what it shows for the whole order at once: a fixed number of queries, whatever its lines. */
  load(request: OrderPageRequest): Promise<OrderPanelParts>;
}

/** Every panel's parts for one order, in rank order (then name, so equal ranks are stable). */
export async function loadOrderPanels(
  panels: readonly OrderPagePanel[],
  request: OrderPageRequest,
): Promise<OrderPanelParts[]> {
  const ordered = [...panels].sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name));
  const parts: OrderPanelParts[] = [];
  for (const panel of ordered) parts.push(await panel.load(request));
  return parts;
}

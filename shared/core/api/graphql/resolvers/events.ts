/** Queries over received events: by id, connections, the older list and the stream. */
import { decodeTime } from "ulid";
import { NotFoundError, ValidationError } from "../../../../domain/errors.js";
import type { StoredEventRecord } from "../../../../domain/schemas.js";
import type { EventQuery, PageRequest } from "../../../../ports/index.js";
import { checkFirst, collectPage, decodeCursor, MAX_PAGE, pageInfo } from "../connection.js";
import type { RequestContext } from "../context.js";
import { isUlid } from "../scalars.js";
import { eventV2Node, legacyEventNode, streamItemNode } from "../views/events.js";

/** What the older `events` query lists (Inngest's cqrs.MaxEvents). */
const LEGACY_EVENTS_LIMIT = 50;
/**
 * Stream bounds are event ids; an id's time may precede the event's receipt a little (SDK-seeded
 * ids carry the sender's clock), so the time window around a bound is widened by this much.
 */
const ID_CLOCK_SLACK_MS = 5 * 60 * 1000;
/** Page size when counting a window's events (the store has no count). */
const COUNT_PAGE = 1000;

function lister(ctx: RequestContext, query: EventQuery) {
  return async (page: PageRequest) => {
    const { events, cursor } = await ctx.deps.events.listEvents(query, page);
    return { items: events, ...(cursor !== undefined ? { cursor } : {}) };
  };
}

async function countEvents(ctx: RequestContext, query: EventQuery): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await ctx.deps.events.listEvents(query, {
      limit: COUNT_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    total += page.events.length;
    cursor = page.cursor;
  } while (cursor !== undefined);
  return total;
}

async function getEvent(ctx: RequestContext, id: string): Promise<StoredEventRecord | undefined> {
  return isUlid(id) ? ctx.deps.events.getEvent(id.toUpperCase()) : undefined;
}

function boundId(name: string, id: string | null | undefined): string | undefined {
  if (id === undefined || id === null) return undefined;
  if (!isUlid(id)) throw new ValidationError(`${name} must be an event id (a ULID)`);
  return id.toUpperCase();
}

interface EventsFilter {
  eventNames?: string[] | null;
  from: number;
  until?: number | null;
  includeInternalEvents: boolean;
  query?: string | null;
}

export const eventQueries = {
  async eventV2(args: { id: string }, ctx: RequestContext) {
    const record = await ctx.deps.events.getEvent(args.id);
    if (!record) throw new NotFoundError(`event ${args.id} not found`);
    return eventV2Node(ctx, record);
  },

  async eventsV2(args: { first: number; after?: string | null; filter: EventsFilter }, ctx: RequestContext) {
    const { filter } = args;
    if (filter.query?.trim()) throw new ValidationError("filtering events by a CEL query is not supported");
    const start = args.after ? decodeCursor(args.after) : { s: 0, u: filter.until ?? ctx.now };
    const query: EventQuery = {
      from: filter.from,
      until: start.u,
      includeInternal: filter.includeInternalEvents,
      ...(filter.eventNames ? { names: filter.eventNames } : {}),
    };
    const page = await collectPage(lister(ctx, query), start, checkFirst(args.first));
    return {
      edges: page.edges.map((e) => ({ node: eventV2Node(ctx, e.item), cursor: e.cursor })),
      pageInfo: pageInfo(page, args.after),
      totalCount: () => countEvents(ctx, query),
    };
  },

  async event(args: { query: { eventId: string } }, ctx: RequestContext) {
    const record = await getEvent(ctx, args.query.eventId);
    return record ? legacyEventNode(ctx, record) : null;
  },

  /** The latest events (Inngest's dev server ignores `lastEventId` too). */
  async events(_args: unknown, ctx: RequestContext) {
    const { events } = await ctx.deps.events.listEvents(
      { from: 0, until: ctx.now },
      { limit: LEGACY_EVENTS_LIMIT },
    );
    return events.map((record) => legacyEventNode(ctx, record));
  },

  /** Newest first: events with ids between `after` and `before` (both exclusive). */
  async stream(
    args: {
      query: {
        limit: number;
        before?: string | null;
        after?: string | null;
        includeInternalEvents?: boolean | null;
      };
    },
    ctx: RequestContext,
  ) {
    const { limit } = args.query;
    if (limit < 1 || limit > MAX_PAGE) throw new ValidationError(`limit must be between 1 and ${MAX_PAGE}`);
    const before = boundId("before", args.query.before);
    const after = boundId("after", args.query.after);
    const until = before ? Math.min(ctx.now, decodeTime(before) + ID_CLOCK_SLACK_MS) : ctx.now;
    const from = after ? Math.max(0, decodeTime(after) - ID_CLOCK_SLACK_MS) : 0;
    const query: EventQuery = { from, until, includeInternal: args.query.includeInternalEvents === true };
    const keep = (e: StoredEventRecord) =>
      (!before || e.internalId < before) && (!after || e.internalId > after);
    const page = await collectPage(lister(ctx, query), { s: 0, u: until }, limit, keep);
    return page.edges.map((e) => streamItemNode(ctx, e.item));
  },
};

import type { IntentRecord, IntentUpdate } from './ports';

/** A row after an update, as the stores apply it (the first submission time is kept). */
export function applyIntentUpdate(r: IntentRecord, u: IntentUpdate): IntentRecord {
  return {
    ...r,
    status: u.status,
    statusReason: u.statusReason === undefined ? r.statusReason : u.statusReason,
    attempts: u.attempts ?? r.attempts,
    filledQuantity: u.filledQuantity ?? r.filledQuantity,
    averagePrice: u.averagePrice === undefined ? r.averagePrice : u.averagePrice,
    submittedAt: r.submittedAt ?? u.submittedAt ?? null,
    notFoundSince: u.notFoundSince === undefined ? r.notFoundSince : u.notFoundSince,
    notFoundCount: u.notFoundCount ?? r.notFoundCount,
    reprices: u.reprices ?? r.reprices,
  };
}

/**
 * The scope analysis (`../scope`) as the review rules see it: run once per reviewed document and options,
 * shared by the rules that are views of it.
 */
import { analyzeTrustScope, type ScopeReport } from "../scope/index";
import type { TrustDocument } from "./document";
import type { ReviewOptions } from "./types";

const REPORTS = new WeakMap<TrustDocument, { options: ReviewOptions; report: ScopeReport }>();

/** The scope report of a document under the review's options (computed once). */
export function scopeReport(document: TrustDocument, options: ReviewOptions): ScopeReport {
  const cached = REPORTS.get(document);
  if (cached && cached.options === options) return cached.report;
  const report = analyzeTrustScope(document.model, {
    ...(options.scopes ? { scopes: options.scopes } : {}),
    ...(options.accountId !== undefined ? { accountId: options.accountId } : {}),
    ...(options.clientIds ? { clientIds: options.clientIds } : {}),
  });
  REPORTS.set(document, { options, report });
  return report;
}

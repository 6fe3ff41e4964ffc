/**
 * Fault injection for reliability tests: each armed fault applies to the next N STS or IAM calls (optionally
 * only of one action), in the order armed. The IdP outage is a switch on the local issuer.
 */

import { MAX_TIMER_MS } from "./http";
import type { IamAction } from "./iam";

/** The STS actions the sandbox answers. */
export type StsAction = "AssumeRoleWithWebIdentity" | "GetCallerIdentity";

/** What a faulted call gets instead of its normal answer. */
export type Fault =
  /** `<Code>Throttling</Code>`, "Rate exceeded", HTTP 400 — what STS sends when throttling. */
  | { kind: "throttle" }
  /** A server-side error: `InternalFailure` (500) or `ServiceUnavailable` (503). */
  | { kind: "server-error"; code: "InternalFailure" | "ServiceUnavailable" }
  /** The socket is destroyed without an answer (the SDK sees a network error). */
  | { kind: "drop" }
  /** The normal answer, after a delay. */
  | { kind: "delay"; ms: number };

interface Armed {
  fault: Fault;
  /** Matching calls still to let through before the fault applies. */
  skip: number;
  remaining: number;
  action: StsAction | IamAction | undefined;
}

/** Options of a fault: how many calls it applies to and to which action. */
export interface FaultScope {
  /** How many calls are affected. Defaults to 1. */
  times?: number;
  /** Only calls of this action, STS's or IAM's (others pass untouched). Defaults to any action. */
  action?: StsAction | IamAction;
  /**
   * How many matching calls pass untouched before the fault applies. Defaults to 0 (the very next one). The
   * count runs while this fault is the first armed one matching a call: calls taken by faults armed before it
   * do not count, and while it still lets calls through, faults armed after it for the same calls wait
   * (`throttle({ after: 5 }); drop()`: the drop applies once the throttle is used up).
   */
  after?: number;
}

function checkTimes(times: number | undefined): number {
  const n = times ?? 1;
  if (!Number.isInteger(n) || n < 1) {
    throw new TypeError(`times: ${n} is not a positive whole number. Allowed: 1 or more.`);
  }
  return n;
}

function checkAfter(after: number | undefined): number {
  const n = after ?? 0;
  if (!Number.isInteger(n) || n < 0) {
    throw new TypeError(`after: ${n} is not a whole number of calls. Allowed: 0 or more.`);
  }
  return n;
}

/** The fault switchboard of a running sandbox. */
export class Faults {
  private armed: Armed[] = [];

  constructor(private readonly idp: { down: boolean }) {}

  private arm(fault: Fault, scope: FaultScope): this {
    this.armed.push({
      fault,
      skip: checkAfter(scope.after),
      remaining: checkTimes(scope.times),
      action: scope.action,
    });
    return this;
  }

  /** The next `times` calls answer `Throttling` (HTTP 400, "Rate exceeded"). */
  throttle(scope: FaultScope = {}): this {
    return this.arm({ kind: "throttle" }, scope);
  }

  /** The next `times` calls answer a 5xx: `InternalFailure` (500, default) or `ServiceUnavailable` (503). */
  serverError(scope: FaultScope & { code?: "InternalFailure" | "ServiceUnavailable" } = {}): this {
    return this.arm({ kind: "server-error", code: scope.code ?? "InternalFailure" }, scope);
  }

  /** The next `times` calls get their connection dropped without an answer. */
  drop(scope: FaultScope = {}): this {
    return this.arm({ kind: "drop" }, scope);
  }

  /** The next `times` calls are answered normally after `ms` milliseconds. */
  delay(ms: number, scope: FaultScope = {}): this {
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIMER_MS) {
      throw new TypeError(
        `ms: ${ms} is not a delay. Allowed: 0 to ${MAX_TIMER_MS} milliseconds (what a timer can wait).`,
      );
    }
    return this.arm({ kind: "delay", ms }, scope);
  }

  /** Takes the IdP down (JWKS and discovery answer 503: STS says `IDPCommunicationError`) or back up. */
  idpDown(down = true): this {
    this.idp.down = down;
    return this;
  }

  /** Whether the IdP is down. */
  get isIdpDown(): boolean {
    return this.idp.down;
  }

  /** Faults still armed (for assertions that a test consumed what it armed). */
  get pending(): number {
    return this.armed.reduce((n, a) => n + a.remaining, 0);
  }

  /** Disarms everything and brings the IdP back up. */
  clear(): this {
    this.armed = [];
    this.idp.down = false;
    return this;
  }

  /**
   * Takes the fault for one call of `action`, if any is armed for it: the first armed fault that matches it
   * applies, or lets it through untouched while it still has calls to skip (`after`).
   */
  take(action: string): Fault | undefined {
    const i = this.armed.findIndex((a) => a.action === undefined || a.action === action);
    if (i < 0) return undefined;
    const armed = this.armed[i]!;
    if (armed.skip > 0) {
      armed.skip--;
      return undefined;
    }
    armed.remaining--;
    if (armed.remaining === 0) this.armed.splice(i, 1);
    return armed.fault;
  }
}

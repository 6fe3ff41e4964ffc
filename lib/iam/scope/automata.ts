/**
 * Regular languages of condition values, over finite automata from `refa` (chosen by measurement, see
 * docs/design.md "Scope analysis engine"). Pure; `refa` is loaded on first use (a synchronous `require`: the
 * review is synchronous, and most commands never need the analysis).
 *
 * A request is one word per condition key the analysis tracks (its "dimensions"): a marker saying how the key is
 * present, then its value:
 * - `ABSENT` — the key is not in the request;
 * - `SINGLE v` — a single value `v` (UTF-16 code units, any of 0..0xFFFF);
 * - `LIST (ITEM v)*` — a multivalued key (`LIST` alone: no values).
 * Markers lie above 0xFFFF, so no claim text can be mistaken for one: the encoding is exact.
 */
import type { CharSet as RefaCharSet, NFA as RefaNFA, DFA as RefaDFA } from "refa";

type Refa = typeof import("refa");
let loaded: Refa | undefined;

/** The refa module (loaded once). */
export function refa(): Refa {
  loaded ??= require("refa") as Refa;
  return loaded;
}

export type NFA = RefaNFA;
export type DFA = RefaDFA;
export type CharSet = RefaCharSet;

export const UNIT_MAX = 0xffff;
export const ABSENT = 0x10000;
export const SINGLE = 0x10001;
export const LIST = 0x10002;
export const ITEM = 0x10003;
export const MAX_CHAR = ITEM;

/** Thrown when a construction exceeds the analysis budget (nodes or time): the caller reports "cannot prove". */
export class BudgetExceeded extends Error {
  constructor(what: string) {
    super(what);
    this.name = "BudgetExceeded";
  }
}

/** The budget of one analysis: automaton nodes created and wall time. */
export class Budget {
  private readonly deadline: number;
  constructor(
    readonly maxNodes: number,
    readonly timeMs: number,
  ) {
    this.deadline = Date.now() + timeMs;
  }
  check(): void {
    if (Date.now() > this.deadline) {
      throw new BudgetExceeded(`the analysis took longer than ${this.timeMs} ms`);
    }
  }
}

/** Builders of languages, bound to one budget. */
export class Languages {
  private readonly r = refa();
  private readonly opts = { maxCharacter: MAX_CHAR };
  private unitsSet: CharSet | undefined;

  constructor(readonly budget: Budget) {}

  private guard<T>(build: () => T): T {
    this.budget.check();
    try {
      return build();
    } catch (e) {
      if (e instanceof this.r.TooManyNodesError) {
        throw new BudgetExceeded(`an automaton grew beyond ${this.budget.maxNodes} states`);
      }
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw new BudgetExceeded("an automaton grew too deep to build");
      }
      throw e;
    }
  }

  private nfaFactory(): InstanceType<Refa["NFA"]["LimitedNodeFactory"]> {
    return new this.r.NFA.LimitedNodeFactory(this.budget.maxNodes);
  }

  private dfaFactory(): InstanceType<Refa["DFA"]["LimitedNodeFactory"]> {
    return new this.r.DFA.LimitedNodeFactory(this.budget.maxNodes);
  }

  /** Every code unit 0..0xFFFF (a character of a claim value). */
  units(): CharSet {
    this.unitsSet ??= this.r.CharSet.fromRange(MAX_CHAR, { min: 0, max: UNIT_MAX });
    return this.unitsSet;
  }

  chars(codes: readonly number[]): CharSet {
    return this.r.CharSet.fromCharacters(
      MAX_CHAR,
      [...new Set(codes)].sort((a, b) => a - b),
    );
  }

  /** Every code unit except those of `text`. */
  unitsExcept(text: string): CharSet {
    return this.units().without(this.chars([...text].map((c) => c.charCodeAt(0))));
  }

  empty(): NFA {
    return this.r.NFA.empty(this.opts);
  }

  /** One symbol of the set. */
  symbol(set: CharSet): NFA {
    return this.r.NFA.fromCharSet(set);
  }

  marker(code: number): NFA {
    return this.symbol(this.r.CharSet.fromCharacter(MAX_CHAR, code));
  }

  /** The exact words (code units). */
  words(texts: readonly string[]): NFA {
    return this.guard(() =>
      this.r.NFA.fromWords(
        texts.map((t) => Array.from({ length: t.length }, (_, i) => t.charCodeAt(i))),
        this.opts,
        this.nfaFactory(),
      ),
    );
  }

  /** Any value: every string of code units. */
  anyValue(): NFA {
    const n = this.symbol(this.units());
    n.quantify(0, Infinity, this.nfaFactory());
    return n;
  }

  /** A sequence: each position one of the sets (`undefined` = any run of units, a glob `*`). */
  sequence(positions: readonly (CharSet | undefined)[]): NFA {
    return this.guard(() => {
      const f = this.nfaFactory();
      const n = this.r.NFA.emptyWord(this.opts);
      for (const p of positions) n.append(p === undefined ? this.anyValue() : this.symbol(p), f);
      return n;
    });
  }

  concat(parts: readonly NFA[]): NFA {
    return this.guard(() => {
      const f = this.nfaFactory();
      const n = this.r.NFA.emptyWord(this.opts);
      for (const p of parts) n.append(p, f);
      return n;
    });
  }

  union(parts: readonly NFA[]): NFA {
    if (parts.length === 1) return parts[0] as NFA;
    return this.guard(() => {
      const f = this.nfaFactory();
      const n = this.empty();
      for (const p of parts) n.union(p, f);
      return n;
    });
  }

  star(part: NFA): NFA {
    return this.guard(() => {
      const n = part.copy(this.nfaFactory());
      n.quantify(0, Infinity, this.nfaFactory());
      return n;
    });
  }

  intersect(a: NFA, b: NFA): NFA {
    return this.guard(() => {
      const n = this.r.NFA.fromIntersection(a, b, this.nfaFactory());
      n.removeUnreachable();
      return n;
    });
  }

  /** A minimized DFA of a language. */
  toDfa(n: NFA): DFA {
    return this.guard(() => {
      const d = this.r.DFA.fromFA(n, this.dfaFactory());
      d.minimize();
      return d;
    });
  }

  /** Values (strings of units) NOT in the language of `n` (which must hold values only). */
  complementValues(n: NFA): NFA {
    return this.guard(() => {
      const d = this.toDfa(n);
      d.complement();
      const back = this.r.NFA.fromFA(d, this.nfaFactory());
      return this.intersect(back, this.anyValue());
    });
  }

  /** The intersection (not minimized: it is only tested for emptiness and intersected again). */
  intersectDfa(a: DFA, b: DFA): DFA {
    return this.guard(() => this.r.DFA.fromIntersection(a, b, this.dfaFactory()));
  }

  /** The complement over the whole alphabet (a new DFA). */
  complementDfa(a: DFA): DFA {
    return this.guard(() => {
      const d = a.copy(this.dfaFactory());
      d.complement(this.dfaFactory());
      return d;
    });
  }

  /** A shortest word of a non-empty DFA, one character set per position. */
  shortest(d: DFA): CharSet[] | undefined {
    return this.guard(() => shortestWordSet(this.r.NFA.fromFA(d, this.nfaFactory())));
  }
}

/**
 * A shortest accepted word of an NFA, one character set per position: a breadth-first search over states
 * (linear in the automaton; refa's `wordSets()` enumerates paths, which explodes on nondeterministic products).
 */
function shortestWordSet(nfa: NFA): CharSet[] | undefined {
  type Node = NFA["initial"];
  const parent = new Map<Node, { from: Node; via: CharSet } | null>([[nfa.initial, null]]);
  let frontier: Node[] = [nfa.initial];
  while (frontier.length > 0) {
    const next: Node[] = [];
    for (const node of frontier) {
      if (nfa.finals.has(node)) {
        const word: CharSet[] = [];
        for (let at = parent.get(node); at; at = parent.get(at.from)) word.push(at.via);
        return word.reverse();
      }
      for (const [to, via] of node.out) {
        if (parent.has(to) || via.isEmpty) continue;
        parent.set(to, { from: node, via });
        next.push(to);
      }
    }
    frontier = next;
  }
  return undefined;
}

/** Automata that do not depend on the policy (universes, scopes), built once per process (bounded). */
const SHARED = new Map<string, DFA | undefined>();

/** A shared automaton by key, built on first use. */
export function shared(key: string, build: () => DFA | undefined): DFA | undefined {
  if (SHARED.has(key)) return SHARED.get(key);
  const made = build();
  if (SHARED.size >= 2_000) SHARED.clear();
  SHARED.set(key, made);
  return made;
}

/** A readable character of a set: a marker first (SINGLE before ABSENT before LIST), then `x`, `a`, `0`... */
export function pickChar(set: CharSet): number {
  for (const m of [SINGLE, ABSENT, LIST, ITEM]) if (set.has(m)) return m;
  for (const c of "xa0-.:/_") {
    const u = c.charCodeAt(0);
    if (set.has(u)) return u;
  }
  for (const r of set.ranges) {
    for (let u = Math.max(r.min, 0x20); u <= Math.min(r.max, 0x7e); u++) return u;
  }
  return (set.ranges[0] as { min: number }).min;
}

/**
 * The compact, exact encoding of a set of exact `sub` values (issue 17): statements that each admit exactly a
 * group of the subjects, written with two or three operators on the same key, which IAM ANDs. Two shapes, each
 * exact by construction (the argument is in the shape's comment) and proven exact again by the caller:
 *
 * - length-pinned (`"prefix-length"`): every member has the prefix P and the length L.
 *   `StringLike sub "P???…"` (L − |P| question marks: P and the length) AND
 *   `ForAnyValue:StringLike sub ["*w1", "*w2", …]` (wi = the member without P).
 *   A value admitted is P·u with |u| = L − |P| that ends with some wi, |wi| = |u|: so u = wi.
 * - anchored (`"prefix-anchor"`): P holds a character d that no member's remainder wi holds; its last
 *   occurrence in P starts the tail T (P = …·T, T = d·t, t without d).
 *   `StringLike sub "P*"` AND `StringNotLike sub "P*d*"` (no d after P) AND
 *   `ForAnyValue:StringLike sub ["*Tw1", "*Tw2", …]`. A value admitted is P·u, u without d, ending with
 *   d·t·wi: that d is not in u, and not before T's d (t·wi would then hold T's d); so t·u = t·wi, u = wi.
 *
 * Neither relies on a claim being absent: both positive operators are false on a token without `sub`
 * (`ForAnyValue:` on a missing key is false), so every statement requires `sub`, whatever STS sends.
 * `ForAnyValue:` on the single-valued `sub` compares its one value, like the plain operator.
 *
 * The search is greedy: candidates are read off a trie of the subjects (length-pinned: each node × each length
 * below it; anchored: each such node, and each node ending in a separator), the candidate saving the most characters against the
 * plain list is taken, its members removed, and the search repeats; what is left stays in the list statement.
 */

/** Operators the compact statements use on `sub`, in the order they are written. */
export const COMPACT_OPERATORS = ["StringLike", "ForAnyValue:StringLike", "StringNotLike"] as const;
export type CompactOperator = (typeof COMPACT_OPERATORS)[number];

/** One group of subjects and the sub conditions that admit exactly it. */
export interface CompactGroup {
  shape: "prefix-length" | "prefix-anchor";
  /** The members, in input order. */
  members: string[];
  /** Operator → pattern(s) on the `sub` key. */
  sub: Partial<Record<CompactOperator, string | string[]>>;
}

/** The result of the search: groups, and the subjects left for the plain `StringEquals` list. */
export interface CompactPlan {
  groups: CompactGroup[];
  rest: string[];
}

/** Separators a delimited group may pin (characters Pulumi subjects use between their parts). */
const DELIMITERS = new Set([":", "/", ".", "-", "_", "|", "@"]);

const one = (values: readonly string[]): string | string[] =>
  values.length === 1 ? (values[0] as string) : [...values];

function lengthGroup(prefix: string, length: number, members: string[]): CompactGroup {
  return {
    shape: "prefix-length",
    members,
    sub: {
      StringLike: prefix + "?".repeat(length - prefix.length),
      "ForAnyValue:StringLike": one(members.map((m) => `*${m.slice(prefix.length)}`)),
    },
  };
}

/**
 * The anchored group of `members` (at least two), or undefined when no anchor character exists: P and S are
 * the members' longest common prefix and suffix (not overlapping), each member is P·wi·S. With S, d is a
 * character of both P and S that no wi holds (tails T = P from its last d, H = S up to its first d, d
 * included); without S (or when no such d), d is a character of P no remainder holds and H is empty. The
 * anchor minimizing |T| + |H| is used.
 */
function anchoredGroup(members: string[]): CompactGroup | undefined {
  const prefix = commonPrefix(members);
  const shortest = Math.min(...members.map((m) => m.length));
  const common = commonSuffix(members);
  // Not overlapping the prefix in the shortest member.
  const suffix = common.slice(Math.max(0, common.length - (shortest - prefix.length)));
  const withSuffix = suffix.length > 0 ? bestAnchor(prefix, suffix, members) : undefined;
  const withoutSuffix = bestAnchor(prefix, "", members);
  const cost = (g: CompactGroup | undefined): number =>
    g === undefined ? Infinity : JSON.stringify(g.sub).length;
  const best = cost(withSuffix) < cost(withoutSuffix) ? withSuffix : withoutSuffix;
  return best;
}

function bestAnchor(prefix: string, suffix: string, members: string[]): CompactGroup | undefined {
  const middles = members.map((m) => m.slice(prefix.length, m.length - suffix.length));
  const used = new Set<string>();
  for (const w of middles) for (const ch of w) used.add(ch);
  let best: { d: string; tail: string; head: string } | undefined;
  for (let j = prefix.length - 1; j >= 0; j--) {
    const d = prefix[j] as string;
    if (used.has(d) || prefix.slice(j + 1).includes(d)) continue;
    let head = "";
    if (suffix.length > 0) {
      const k = suffix.indexOf(d);
      if (k < 0) continue;
      head = suffix.slice(0, k + 1);
      // The pattern's two d's must meet only across the middle: no run between consecutive d's inside P or
      // inside S may equal t·wi·h (t, h: the tail and head without their d's).
      const inner = new Set(middles.map((w) => prefix.slice(j + 1) + w + suffix.slice(0, k)));
      if (runsBetween(prefix, d).some((r) => inner.has(r))) continue;
      if (runsBetween(suffix, d).some((r) => inner.has(r))) continue;
    }
    const tail = prefix.slice(j);
    if (best === undefined || tail.length + head.length < best.tail.length + best.head.length) {
      best = { d, tail, head };
    }
  }
  if (best === undefined) return undefined;
  const { d, tail, head } = best;
  return {
    shape: "prefix-anchor",
    members,
    sub: {
      StringLike: `${prefix}*${suffix}`,
      "ForAnyValue:StringLike": one(middles.map((w) => `*${tail}${w}${head}${suffix ? "*" : ""}`)),
      StringNotLike: `${prefix}*${d}*${suffix}`,
    },
  };
}

/** The texts between consecutive occurrences of `d` in `text`. */
function runsBetween(text: string, d: string): string[] {
  const parts = text.split(d);
  return parts.slice(1, -1);
}

function commonSuffix(values: readonly string[]): string {
  let p = values[0] ?? "";
  for (const v of values) {
    let i = 0;
    while (i < p.length && i < v.length && p[p.length - 1 - i] === v[v.length - 1 - i]) i++;
    p = p.slice(p.length - i);
  }
  return p;
}

interface TrieNode {
  depth: number;
  children: Map<string, TrieNode>;
  /** Indexes (into the subjects) of the subjects below (including ending here). */
  below: number[];
}

function buildTrie(subjects: readonly string[]): TrieNode {
  const root: TrieNode = { depth: 0, children: new Map(), below: [] };
  subjects.forEach((s, i) => {
    let node = root;
    node.below.push(i);
    for (const ch of s) {
      let next = node.children.get(ch);
      if (!next) {
        next = { depth: node.depth + 1, children: new Map(), below: [] };
        node.children.set(ch, next);
      }
      next.below.push(i);
      node = next;
    }
  });
  return root;
}

/**
 * Candidate groups of `subjects`, member sets read off a trie: for every node P where the subjects below
 * branch or end (the longest common prefix of each set is the only P worth pinning), the length classes below
 * P (length-pinned), all of them and those sharing the text after their last separator (anchored); and for
 * every node ending in a separator, the subjects below whose remainder lacks it (anchored).
 */
function candidates(subjects: readonly string[]): CompactGroup[] {
  const out: CompactGroup[] = [];
  const root = buildTrie(subjects);
  const seen = new Set<string>();
  const add = (idx: number[], make: (members: string[]) => CompactGroup | undefined): void => {
    if (idx.length < 2) return;
    // A set too large to prove in one piece is offered in consecutive chunks (the trie keeps them close).
    for (const chunk of chunks(idx, subjects)) {
      if (chunk.length < 2) continue;
      const key = `${make === anchoredGroup ? "a" : "l"}${chunk.join(",")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const group = make(chunk.map((i) => subjects[i] as string));
      if (group) out.push(group);
    }
  };
  const walk = (node: TrieNode, prefix: string): void => {
    const branching = node.children.size !== 1 || node.below.length !== singleChildCount(node);
    if (node.below.length >= 2) {
      if (branching) {
        const byLength = new Map<number, number[]>();
        const byEnd = new Map<string, number[]>();
        for (const i of node.below) {
          const s = subjects[i] as string;
          if (s.length > node.depth) push(byLength, s.length, i);
          for (const d of DELIMITERS) {
            const at = s.lastIndexOf(d);
            if (at >= node.depth) push(byEnd, `${d}${s.slice(at)}`, i);
          }
        }
        for (const idx of byLength.values()) add(idx, lengthMembers);
        add(node.below, anchoredGroup);
        for (const idx of byEnd.values())
          if (idx.length < node.below.length) add(idx, anchoredGroup);
      }
      const d = prefix.slice(-1);
      if (DELIMITERS.has(d)) {
        const idx = node.below.filter(
          (i) => !(subjects[i] as string).slice(prefix.length).includes(d),
        );
        add(idx, anchoredGroup);
      }
    }
    for (const [ch, child] of node.children) walk(child, prefix + ch);
  };
  walk(root, "");
  return out;
}

/**
 * The most characters of members one group holds: the proof (lib/iam/scope) builds automata whose size grows
 * with the members' text, and gives up past its node budget (measured: up to ~9,600 characters of members proven,
 * ~11,000 not). A group whose proof still gives up is split in two (`splitGroup`).
 */
export const GROUP_MAX_CHARACTERS = 9_000;

/** `idx` cut, in order, into runs of at most GROUP_MAX_CHARACTERS characters of members. */
function chunks(idx: readonly number[], subjects: readonly string[]): number[][] {
  const out: number[][] = [[]];
  let size = 0;
  for (const i of idx) {
    const length = (subjects[i] as string).length;
    if (size + length > GROUP_MAX_CHARACTERS && (out[out.length - 1] as number[]).length > 0) {
      out.push([]);
      size = 0;
    }
    (out[out.length - 1] as number[]).push(i);
    size += length;
  }
  return out;
}

function push<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

/** The length-pinned group of members of one length (their longest common prefix pinned). */
function lengthMembers(members: string[]): CompactGroup | undefined {
  const prefix = commonPrefix(members);
  const length = (members[0] as string).length;
  return prefix.length < length ? lengthGroup(prefix, length, members) : undefined;
}

function singleChildCount(node: TrieNode): number {
  let n = 0;
  for (const child of node.children.values()) n += child.below.length;
  return n;
}

function commonPrefix(values: readonly string[]): string {
  let p = values[0] ?? "";
  for (const v of values) {
    let i = 0;
    while (i < p.length && i < v.length && p[i] === v[i]) i++;
    p = p.slice(0, i);
  }
  return p;
}

/** The same shape for fewer members (or undefined when none fits them). */
function regroup(shape: CompactGroup["shape"], members: string[]): CompactGroup | undefined {
  if (members.length < 2) return undefined;
  return shape === "prefix-length" ? lengthMembers(members) : anchoredGroup(members);
}

/**
 * A group cut in two halves, each written again in the same shape (a half of one member goes to the list):
 * for a group whose proof exceeded the analysis's budget.
 */
export function splitGroup(group: CompactGroup): CompactPlan {
  const half = Math.ceil(group.members.length / 2);
  const out: CompactPlan = { groups: [], rest: [] };
  for (const part of [group.members.slice(0, half), group.members.slice(half)]) {
    const g = regroup(group.shape, part);
    if (g) out.groups.push(g);
    else out.rest.push(...part);
  }
  return out;
}

/**
 * Groups `subjects` greedily. `statementCost(group)` is what a group's statement adds to the policy,
 * `listCost(subject)` what a subject adds to the plain list, `listStatementCost` what the list statement costs
 * with no subject (saved when a group takes every subject left); a group is taken only when it saves characters.
 */
export function planCompact(
  subjects: readonly string[],
  statementCost: (group: CompactGroup) => number,
  listCost: (subject: string) => number,
  listStatementCost = 0,
): CompactPlan {
  const groups: CompactGroup[] = [];
  let rest = [...subjects];
  for (;;) {
    let best: { group: CompactGroup; saving: number } | undefined;
    for (const group of candidates(rest)) {
      const saving =
        group.members.reduce((sum, m) => sum + listCost(m), 0) -
        statementCost(group) +
        (group.members.length === rest.length ? listStatementCost : 0);
      if (saving > 0 && (best === undefined || saving > best.saving)) best = { group, saving };
    }
    if (best === undefined) break;
    groups.push(best.group);
    const taken = new Set(best.group.members);
    rest = rest.filter((s) => !taken.has(s));
  }
  return { groups, rest };
}

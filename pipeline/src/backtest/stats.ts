// The statistics of the risk backtest (spec history.md "Backtest of the retention-risk score"): ROC AUC
// with ties counting one half, the lift of the top decile with ties at the cut broken by a key, and a
// logistic regression fitted by Newton's method (IRLS) on grouped binary data, with standard errors and
// 95 % Wald intervals. Pure functions on arrays; nothing here reads the database.

/** ROC AUC of `scores` for `labels` (true = the event): P(score of an event > score of a non-event), ties ½. Null without both classes. */
export function auc(scores: readonly number[], labels: readonly boolean[]): number | null {
  if (scores.length !== labels.length) throw new Error('auc: scores and labels differ in length');
  const counts = new Map<number, { pos: number; neg: number }>();
  for (let i = 0; i < scores.length; i++) {
    let c = counts.get(scores[i]);
    if (!c) counts.set(scores[i], (c = { pos: 0, neg: 0 }));
    if (labels[i]) c.pos++; else c.neg++;
  }
  return aucOfCounts(counts);
}

/**
 * The same AUC from counts per score (events `pos`, non-events `neg`): what a GROUP BY score gives. Each
 * score is one tie group: its events beat the non-events below it and tie (½) with its own non-events.
 */
export function aucOfCounts(counts: ReadonlyMap<number, { pos: number; neg: number }>): number | null {
  let pos = 0;
  let neg = 0;
  let wins = 0; // events above non-events, ties ½
  let negBelow = 0;
  for (const score of [...counts.keys()].sort((a, b) => a - b)) {
    const { pos: p, neg: n } = counts.get(score)!;
    wins += p * negBelow + 0.5 * p * n;
    negBelow += n;
    pos += p;
    neg += n;
  }
  return pos && neg ? wins / (pos * neg) : null;
}

export interface Ranked {
  score: number;
  left: boolean;
  /** Breaks ties at the cut: the smaller key ranks higher (employee_id, then date in pooled data). */
  key: string;
}

/**
 * Exit rate of the top decile ÷ overall exit rate. The top decile is the ceil(10 %) rows of highest score,
 * ties at the cut broken by `key` ascending. Null when there is no row or no exit.
 */
export function topDecileLift<T extends { score: number; left: boolean }>(rows: readonly T[],
  keyOf: (row: T) => string = (row) => (row as unknown as Ranked).key): { lift: number | null; topN: number; topLeft: number } {
  const byScore = new Map<number, { n: number; left: number }>();
  for (const r of rows) {
    const c = byScore.get(r.score) ?? { n: 0, left: 0 };
    c.n++;
    if (r.left) c.left++;
    byScore.set(r.score, c);
  }
  const cut = decileCut(byScore);
  let { topLeft } = cut;
  if (cut.atCut) {
    const { score, take } = cut.atCut;
    const atCut = rows.filter((r) => r.score === score).map((r) => ({ key: keyOf(r), left: r.left }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    topLeft += atCut.slice(0, take).reduce((s, r) => s + (r.left ? 1 : 0), 0);
  }
  return liftOf(cut, topLeft);
}

/**
 * The top decile counted by score (counts per score, as a GROUP BY score gives them): the scores above the
 * cut are wholly in (`topLeft` their exits); `atCut`, when the cut falls inside a score's rows, is that score
 * and how many of its rows, in key order, are in. Those rows' exits are counted by the caller (by key).
 */
export function decileCut(byScore: ReadonlyMap<number, { n: number; left: number }>):
  { n: number; left: number; topN: number; topLeft: number; atCut: { score: number; take: number } | null } {
  let n = 0;
  let left = 0;
  for (const c of byScore.values()) { n += c.n; left += c.left; }
  const topN = Math.ceil(n / 10);
  let taken = 0;
  let topLeft = 0;
  let atCut: { score: number; take: number } | null = null;
  if (n > 0) {
    for (const score of [...byScore.keys()].sort((a, b) => b - a)) {
      const c = byScore.get(score)!;
      if (taken + c.n <= topN) {
        taken += c.n;
        topLeft += c.left;
        if (taken === topN) break;
        continue;
      }
      atCut = { score, take: topN - taken };
      break;
    }
  }
  return { n, left, topN, topLeft, atCut };
}

/** The lift once the top decile's exits are known (all of them: above the cut and at it). */
export function liftOf(cut: { n: number; left: number; topN: number }, topLeft: number): { lift: number | null; topN: number; topLeft: number } {
  if (cut.n === 0) return { lift: null, topN: 0, topLeft: 0 };
  return { lift: cut.left ? (topLeft / cut.topN) / (cut.left / cut.n) : null, topN: cut.topN, topLeft };
}

/** Rows of identical features pooled: `n` observations of which `events` had the outcome. */
export interface Group { x: readonly number[]; n: number; events: number }

export interface LogisticFit {
  /** Intercept first, then one per feature; null for a feature with no variation (left out of the fit). */
  coef: (number | null)[];
  se: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
  iterations: number;
  converged: boolean;
  logLik: number;
  /** The features fitted (those that vary), and the inverse information over [intercept, ...those]. */
  cols: number[];
  cov: number[][] | null;
}

const Z95 = 1.959963984540054;

/** Solve A x = b for symmetric positive definite A (Cholesky); null when A is not. */
function choleskySolveInverse(a: number[][]): number[][] | null {
  const p = a.length;
  const l = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 1e-12)) return null;
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  // inverse of L, then A⁻¹ = L⁻ᵀ L⁻¹
  const li = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    li[i][i] = 1 / l[i][i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i][k] * li[k][j];
      li[i][j] = s / l[i][i];
    }
  }
  const inv = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < p; k++) s += li[k][i] * li[k][j];
      inv[i][j] = s;
    }
  }
  return inv;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function logLikelihood(groups: readonly Group[], cols: number[], beta: number[]): number {
  let ll = 0;
  for (const g of groups) {
    let z = beta[0];
    cols.forEach((c, k) => { z += beta[k + 1] * g.x[c]; });
    // log p = -log(1 + e^-z), log(1 - p) = -log(1 + e^z), computed stably
    const logP = -(Math.max(0, -z) + Math.log1p(Math.exp(-Math.abs(z))));
    const log1mP = -(Math.max(0, z) + Math.log1p(Math.exp(-Math.abs(z))));
    ll += g.events * logP + (g.n - g.events) * log1mP;
  }
  return ll;
}

/**
 * Logistic regression of the outcome on the features by Newton–Raphson (= IRLS), with step halving when
 * the log-likelihood would fall. Standard errors from the inverse Fisher information at the estimate;
 * intervals are estimate ± 1.96 SE. A feature constant over all rows is left out (its entries null).
 */
export function logisticFit(groups: readonly Group[], features: number, opts: { maxIter?: number; tol?: number } = {}): LogisticFit {
  const maxIter = opts.maxIter ?? 50;
  const tol = opts.tol ?? 1e-10;
  const live = groups.filter((g) => g.n > 0);
  for (const g of live) {
    if (g.x.length !== features) throw new Error(`logisticFit: a group has ${g.x.length} features, expected ${features}`);
    if (g.events < 0 || g.events > g.n) throw new Error('logisticFit: events must be between 0 and n');
  }
  // features that vary over the rows
  const cols = Array.from({ length: features }, (_, c) => c).filter((c) => {
    const first = live[0]?.x[c];
    return live.some((g) => g.x[c] !== first);
  });
  const p = cols.length + 1;
  const row = (g: Group) => [1, ...cols.map((c) => g.x[c])];
  const total = live.reduce((s, g) => s + g.n, 0);
  const events = live.reduce((s, g) => s + g.events, 0);
  const beta = new Array<number>(p).fill(0);
  if (events > 0 && events < total) beta[0] = Math.log(events / (total - events));
  let ll = logLikelihood(live, cols, beta);
  let info: number[][] | null = null;
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIter; iterations++) {
    const grad = new Array<number>(p).fill(0);
    const h = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (const g of live) {
      const x = row(g);
      let z = 0;
      for (let k = 0; k < p; k++) z += beta[k] * x[k];
      const mu = sigmoid(z);
      const w = g.n * mu * (1 - mu);
      const r = g.events - g.n * mu;
      for (let i = 0; i < p; i++) {
        grad[i] += x[i] * r;
        for (let j = 0; j <= i; j++) h[i][j] += w * x[i] * x[j];
      }
    }
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) h[j][i] = h[i][j];
    info = choleskySolveInverse(h);
    if (!info) break;
    const step = info.map((r) => r.reduce((s, v, k) => s + v * grad[k], 0));
    let t = 1;
    let next = beta.map((b, k) => b + t * step[k]);
    let nextLl = logLikelihood(live, cols, next);
    while (nextLl < ll - 1e-12 && t > 1e-6) {
      t /= 2;
      next = beta.map((b, k) => b + t * step[k]);
      nextLl = logLikelihood(live, cols, next);
    }
    const change = Math.max(...step.map((s) => Math.abs(s * t)));
    beta.splice(0, p, ...next);
    const gain = nextLl - ll;
    ll = nextLl;
    if (change < 1e-8 || Math.abs(gain) < tol) {
      iterations++;
      converged = true;
      break;
    }
  }
  // the information at the final estimate
  if (converged) {
    const h = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (const g of live) {
      const x = row(g);
      const mu = sigmoid(x.reduce((s, v, k) => s + v * beta[k], 0));
      const w = g.n * mu * (1 - mu);
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) h[i][j] += w * x[i] * x[j];
    }
    info = choleskySolveInverse(h);
  }
  return {
    ...estimates(beta, (k) => (info && converged ? Math.sqrt(info[k][k]) : null), cols, features),
    iterations,
    converged,
    logLik: ll,
    cols,
    cov: converged ? info : null,
  };
}

/**
 * The fit with cluster-robust ("sandwich", CR0) standard errors: rows of one cluster (one employee seen at
 * many dates) are not independent, and model-based errors would be too small. Covariance
 * B (Σ_c s_c s_cᵀ) B, B the inverse information, s_c the sum over the cluster's rows of x (y − p).
 */
export function logisticFitClustered(rows: readonly { x: readonly number[]; event: boolean; cluster: string }[], features: number): LogisticFit {
  const fit = logisticFit(groupRows(rows), features);
  if (!fit.cov) return fit;
  const { cols } = fit;
  const p = cols.length + 1;
  const sums = new Map<string, number[]>();
  for (const r of rows) {
    const res = (r.event ? 1 : 0) - fittedProbability(fit, r.x);
    let s = sums.get(r.cluster);
    if (!s) sums.set(r.cluster, (s = new Array<number>(p).fill(0)));
    s[0] += res;
    cols.forEach((c, k) => { s[k + 1] += r.x[c] * res; });
  }
  const meat = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const s of sums.values()) for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) meat[i][j] += s[i] * s[j];
  return clustered(fit, meat, features);
}

/** The fitted probability of a row with these features (`x` over all features, as in the groups). */
export function fittedProbability(fit: LogisticFit, x: readonly number[]): number {
  let z = 0;
  z += 1 * fit.coef[0]!;
  for (const c of fit.cols) z += x[c] * fit.coef[c + 1]!;
  return sigmoid(z);
}

/**
 * A fit's cluster-robust (CR0) covariance, B M B, from `meat` M = Σ_c s_c s_cᵀ over [intercept, ...fit.cols]
 * (s_c the sum over cluster c's rows of x (y − p)), B the fit's inverse information.
 */
export function clustered(fit: LogisticFit, meat: readonly (readonly number[])[], features: number): LogisticFit {
  if (!fit.cov) return fit;
  const { cols, cov } = fit;
  const beta = [fit.coef[0]!, ...cols.map((c) => fit.coef[c + 1]!)];
  const bm = cov.map((row) => meat[0].map((_, j) => row.reduce((acc, v, k) => acc + v * meat[k][j], 0)));
  const v = bm.map((row) => cov[0].map((_, j) => row.reduce((acc, x, k) => acc + x * cov[k][j], 0)));
  // a near-singular information (a flag that almost separates exits from stays) can round a variance below
  // zero: that entry has no standard error and no interval
  const se = (k: number) => (v[k][k] >= 0 && Number.isFinite(v[k][k]) ? Math.sqrt(v[k][k]) : null);
  return { ...fit, cov: v, ...estimates(beta, se, cols, features) };
}

/**
 * Coefficients, standard errors and 95 % Wald bounds, from the fitted [intercept, ...cols] (`beta`, `se` by
 * index in it) to one entry per [intercept, every feature]: null for a feature left out, or without an SE.
 */
function estimates(beta: readonly number[], se: (k: number) => number | null, cols: readonly number[], features: number) {
  const put = (f: (k: number) => number | null) => {
    const out: (number | null)[] = new Array(features + 1).fill(null);
    out[0] = f(0);
    cols.forEach((c, k) => { out[c + 1] = f(k + 1); });
    return out;
  };
  const bound = (k: number, sign: number) => { const s = se(k); return s === null ? null : beta[k] + sign * Z95 * s; };
  return { coef: put((k) => beta[k]), se: put(se), lower: put((k) => bound(k, -1)), upper: put((k) => bound(k, 1)) };
}

/** Pool 0/1 feature rows into groups of identical features (the fit then costs per distinct pattern, ≤ 2⁸ here). */
export function groupRows(rows: Iterable<{ x: readonly number[]; event: boolean }>): Group[] {
  const byKey = new Map<number | string, { x: number[]; n: number; events: number }>();
  for (const r of rows) {
    // 0/1 features (the flags) as bits of a number: no string per row; anything else as text
    let key: number | string = 0;
    for (let i = 0; i < r.x.length && typeof key === 'number'; i++) {
      const v = r.x[i];
      key = v === 0 || v === 1 ? key + v * 2 ** i : r.x.join(',');
    }
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { x: [...r.x], n: 0, events: 0 }));
    g.n++;
    if (r.event) g.events++;
  }
  return [...byKey.values()];
}

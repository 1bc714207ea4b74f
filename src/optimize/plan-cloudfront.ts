import type { PlanNote, Proposal } from './proposal.js';

export interface Ttls {
  readonly min: number;
  readonly default: number;
  readonly max: number;
}

/** A cache policy a behaviour points at; `managed` ones belong to AWS and are never touched. */
export interface CachePolicyFacts {
  readonly id: string;
  readonly name: string;
  readonly managed: boolean;
  readonly ttl: Ttls;
  /** none | whitelist | allExcept | all */
  readonly queryStringBehavior: string;
}

/** One cache behaviour of a distribution, with either legacy TTL fields or a cache policy. */
export interface CdnBehavior {
  readonly distributionId: string;
  /** "*" for the default behaviour. */
  readonly pathPattern: string;
  readonly legacy: { readonly ttl: Ttls; readonly queryString: boolean } | null;
  readonly cachePolicy: CachePolicyFacts | null;
}

export interface CloudFrontEvidence {
  readonly type: 'cloudfront';
  readonly target: string;
  readonly distributionIds: readonly string[];
  readonly behaviors: readonly CdnBehavior[];
  /** The CDN's cache hit rate over the window (CloudWatch), when it is known. */
  readonly hitRate: number | null;
  /** Why the hit rate is unknown, for the plan's notes; null when known or not asked. */
  readonly hitRateNote: string | null;
}

/** Below this DefaultTTL objects without Cache-Control barely stay cached. */
const SHORT_DEFAULT_TTL_S = 3600;
const PROPOSED_DEFAULT_TTL_S = 86_400;
const LOW_HIT_RATE = 0.8;

/** The resource name of a behaviour's legacy settings, or of a cache policy. */
export function behaviorResource(distributionId: string, pathPattern: string): string {
  return `distribution/${distributionId}/behavior/${pathPattern}`;
}
export function cachePolicyResource(id: string): string {
  return `cache-policy/${id}`;
}

/**
 * CDN proposals: a longer DefaultTTL where it is short (MaxTTL raised with it so that
 * MinTTL ≤ DefaultTTL ≤ MaxTTL holds), and dropping query strings from the cache key when the
 * hit rate is known to be low. A cache policy is proposed once, however many behaviours use it.
 */
export function planCloudFront(e: CloudFrontEvidence): { proposals: Proposal[]; notes: PlanNote[] } {
  const proposals: Proposal[] = [];
  const notes: PlanNote[] = [];
  const seenPolicies = new Set<string>();
  if (e.hitRateNote) notes.push({ target: e.target, message: `${e.hitRateNote}; query strings stay in the cache key` });
  for (const b of e.behaviors) {
    if (b.cachePolicy) {
      const p = b.cachePolicy;
      if (seenPolicies.has(p.id)) continue;
      seenPolicies.add(p.id);
      const users = e.behaviors.filter((x) => x.cachePolicy?.id === p.id).map((x) => `${x.distributionId} ${x.pathPattern}`);
      if (p.managed) {
        if (p.ttl.default < SHORT_DEFAULT_TTL_S) notes.push({ target: e.target, message: `${users.join(', ')} use the AWS-managed cache policy ${p.name}, which perfpilot never changes; attach a custom policy to tune its TTLs` });
        continue;
      }
      const shared = `changes cache policy ${p.name}, which affects every distribution using it (here: ${users.join(', ')})`;
      proposals.push(...ttlProposals(e, cachePolicyResource(p.id), p.ttl, shared));
      const qs = queryStringProposal(e, cachePolicyResource(p.id), 'QueryStringBehavior', p.queryStringBehavior, p.queryStringBehavior === 'all' ? 'none' : null, shared);
      if (qs) proposals.push(qs);
    } else if (b.legacy) {
      const resource = behaviorResource(b.distributionId, b.pathPattern);
      proposals.push(...ttlProposals(e, resource, b.legacy.ttl, `changes behaviour ${b.pathPattern} of ${b.distributionId} only`));
      const qs = queryStringProposal(e, resource, 'QueryString', b.legacy.queryString ? 1 : 0, b.legacy.queryString ? 0 : null, `behaviour ${b.pathPattern} of ${b.distributionId}`);
      if (qs) proposals.push(qs);
    }
  }
  return { proposals, notes };
}

function ttlProposals(e: CloudFrontEvidence, resource: string, ttl: Ttls, scope: string): Proposal[] {
  if (ttl.default >= SHORT_DEFAULT_TTL_S) return [];
  const evidence = { minTtlS: ttl.min, defaultTtlS: ttl.default, maxTtlS: ttl.max, cdnHitRate: e.hitRate };
  const out: Proposal[] = [{
    target: e.target, resource, parameter: 'DefaultTTL', current: ttl.default, proposed: PROPOSED_DEFAULT_TTL_S, evidence,
    expectedEffect: `responses without Cache-Control headers are cached for a day instead of ${ttl.default} s, so more requests are served from the edge`,
    risk: `${scope}; responses the origin means to keep fresh must send Cache-Control: no-cache or max-age, or they may be up to a day old`,
  }];
  if (ttl.max < PROPOSED_DEFAULT_TTL_S) {
    out.push({
      target: e.target, resource, parameter: 'MaxTTL', current: ttl.max, proposed: PROPOSED_DEFAULT_TTL_S, evidence,
      expectedEffect: 'keeps MinTTL ≤ DefaultTTL ≤ MaxTTL with the longer DefaultTTL',
      risk: `${scope}; origin max-age values up to a day are honoured`,
    });
  }
  return out;
}

function queryStringProposal(e: CloudFrontEvidence, resource: string, parameter: string, current: string | number, proposed: string | number | null, scope: string): Proposal | null {
  if (proposed === null || e.hitRate === null || e.hitRate >= LOW_HIT_RATE) return null;
  return {
    target: e.target, resource, parameter, current, proposed,
    evidence: { cdnHitRate: e.hitRate, queryStringsInCacheKey: 'all' },
    expectedEffect: 'requests that differ only in query strings share one cached object, raising the hit rate',
    risk: `${scope}; if the origin's response depends on a query string, users get the wrong content: only apply when it does not`,
  };
}

import type { CacheBehavior, CachePolicyConfig, DefaultCacheBehavior, DistributionConfig } from '@aws-sdk/client-cloudfront';
import { PerfpilotError } from '../../errors.js';
import type { Ttls } from '../plan-cloudfront.js';
import type { SettingValue } from '../proposal.js';

/* Where CloudFront keeps each setting perfpilot changes: a behaviour's legacy fields or a cache policy. */

/** CloudFront's values when a field is absent. */
const API_DEFAULT_TTL = 86_400;
const API_MAX_TTL = 31_536_000;

export type Behavior = DefaultCacheBehavior | CacheBehavior;

export function parseResource(resource: string): { kind: 'policy' | 'distribution'; id: string } {
  const m = /^(cache-policy|distribution)\/([^/]+)/.exec(resource);
  if (!m) throw new PerfpilotError(`not a CloudFront resource: ${resource}`, { exitCode: 65, httpStatus: 400 });
  return { kind: m[1] === 'cache-policy' ? 'policy' : 'distribution', id: m[2]! };
}

export function allBehaviors(config: DistributionConfig): Behavior[] {
  return [config.DefaultCacheBehavior!, ...(config.CacheBehaviors?.Items ?? [])];
}

/** "*" for the default behaviour. */
export function patternOf(b: Behavior): string {
  return 'PathPattern' in b && b.PathPattern ? b.PathPattern : '*';
}

export function findBehavior(config: DistributionConfig, resource: string): Behavior {
  const pattern = resource.slice(resource.indexOf('/behavior/') + '/behavior/'.length);
  const found = allBehaviors(config).find((b) => patternOf(b) === pattern);
  if (!found) throw new PerfpilotError(`${resource} no longer exists`, { exitCode: 65, httpStatus: 409 });
  if (found.CachePolicyId) throw new PerfpilotError(`${resource} now uses cache policy ${found.CachePolicyId}; re-plan`, { exitCode: 65, httpStatus: 409 });
  return found;
}

export function legacyTtls(b: Behavior): Ttls {
  return { min: b.MinTTL ?? 0, default: b.DefaultTTL ?? API_DEFAULT_TTL, max: b.MaxTTL ?? API_MAX_TTL };
}

export function legacyValue(b: Behavior, parameter: string): SettingValue | null {
  if (parameter === 'QueryString') return b.ForwardedValues?.QueryString ? 1 : 0;
  const t = legacyTtls(b);
  return parameter === 'MinTTL' ? t.min : parameter === 'DefaultTTL' ? t.default : parameter === 'MaxTTL' ? t.max : null;
}

export function setLegacy(b: Behavior, parameter: string, value: SettingValue): void {
  if (parameter === 'QueryString') b.ForwardedValues = { ...b.ForwardedValues!, QueryString: Number(value) === 1 };
  else if (parameter === 'MinTTL' || parameter === 'DefaultTTL' || parameter === 'MaxTTL') b[parameter] = Number(value);
  else throw new PerfpilotError(`CloudFront behaviours have no setting ${parameter}`, { exitCode: 65, httpStatus: 400 });
}

export function policyTtls(c: CachePolicyConfig): Ttls {
  return { min: c.MinTTL ?? 0, default: c.DefaultTTL ?? API_DEFAULT_TTL, max: c.MaxTTL ?? API_MAX_TTL };
}

export function policyValue(c: CachePolicyConfig, parameter: string): SettingValue | null {
  if (parameter === 'QueryStringBehavior') return c.ParametersInCacheKeyAndForwardedToOrigin?.QueryStringsConfig?.QueryStringBehavior ?? null;
  const t = policyTtls(c);
  return parameter === 'MinTTL' ? t.min : parameter === 'DefaultTTL' ? t.default : parameter === 'MaxTTL' ? t.max : null;
}

export function setPolicy(c: CachePolicyConfig, parameter: string, value: SettingValue): void {
  if (parameter === 'QueryStringBehavior') {
    const qs = c.ParametersInCacheKeyAndForwardedToOrigin!.QueryStringsConfig!;
    qs.QueryStringBehavior = String(value) as typeof qs.QueryStringBehavior;
    if (value === 'none' || value === 'all') delete qs.QueryStrings;
  } else if (parameter === 'MinTTL' || parameter === 'DefaultTTL' || parameter === 'MaxTTL') c[parameter] = Number(value);
  else throw new PerfpilotError(`cache policies have no setting ${parameter}`, { exitCode: 65, httpStatus: 400 });
}

/** Managed policies belong to AWS; their names start with "Managed-". */
export function isManaged(c: CachePolicyConfig): boolean {
  return (c.Name ?? '').startsWith('Managed-');
}

export function checkTtls(resource: string, t: Ttls): void {
  if (!(t.min <= t.default && t.default <= t.max)) {
    throw new PerfpilotError(`${resource}: refusing MinTTL ${t.min}, DefaultTTL ${t.default}, MaxTTL ${t.max}: CloudFront needs MinTTL ≤ DefaultTTL ≤ MaxTTL`, { exitCode: 65, httpStatus: 400 });
  }
}

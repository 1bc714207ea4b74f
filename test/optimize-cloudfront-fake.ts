import { createServer } from 'node:http';

/**
 * What moto lacks, answered in CloudFront's REST-XML wire format: ETag checks with
 * PreconditionFailed, cache policies, and InProgress → Deployed; plus CloudWatch's
 * GetMetricData for the distribution's hit rate. One distribution, tagged Environment=prod.
 */
export const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
export const D = 'E2WIRETEST';
const ARN = `arn:aws:cloudfront::123456789012:distribution/${D}`;
const behavior = (inner: string) => `<TargetOriginId>o</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>${inner}`;
export const policy = (name: string, min: number, def: number, max: number) => `<CachePolicyConfig xmlns="${NS}"><Comment>c</Comment><Name>${name}</Name><DefaultTTL>${def}</DefaultTTL><MaxTTL>${max}</MaxTTL><MinTTL>${min}</MinTTL>` +
  '<ParametersInCacheKeyAndForwardedToOrigin><EnableAcceptEncodingGzip>true</EnableAcceptEncodingGzip><HeadersConfig><HeaderBehavior>none</HeaderBehavior></HeadersConfig>' +
  '<CookiesConfig><CookieBehavior>none</CookieBehavior></CookiesConfig><QueryStringsConfig><QueryStringBehavior>none</QueryStringBehavior></QueryStringsConfig></ParametersInCacheKeyAndForwardedToOrigin></CachePolicyConfig>';

interface Resource { xml: string; version: number }

export function fakeCloudFront() {
  const state = {
    distribution: { xml: `<DistributionConfig xmlns="${NS}"><CallerReference>wire</CallerReference><Comment>app</Comment><Enabled>true</Enabled>` +
      '<Origins><Quantity>1</Quantity><Items><Origin><Id>o</Id><DomainName>o.example.com</DomainName></Origin></Items></Origins>' +
      `<DefaultCacheBehavior>${behavior('<CachePolicyId>pol-custom</CachePolicyId>')}</DefaultCacheBehavior>` +
      '<CacheBehaviors><Quantity>2</Quantity><Items>' +
      `<CacheBehavior><PathPattern>/legacy/*</PathPattern>${behavior('<ForwardedValues><QueryString>false</QueryString><Cookies><Forward>none</Forward></Cookies></ForwardedValues><MinTTL>0</MinTTL><DefaultTTL>0</DefaultTTL><MaxTTL>31536000</MaxTTL>')}</CacheBehavior>` +
      `<CacheBehavior><PathPattern>/api/*</PathPattern>${behavior('<CachePolicyId>pol-managed</CachePolicyId>')}</CacheBehavior>` +
      '</Items></CacheBehaviors></DistributionConfig>', version: 1 } as Resource,
    policies: { 'pol-custom': { xml: policy('app-static', 0, 0, 3600), version: 1 }, 'pol-managed': { xml: policy('Managed-CachingDisabled', 0, 0, 0), version: 1 } } as Record<string, Resource>,
    /** The next PUT of the distribution finds it changed by someone else first. */
    staleOnce: false,
    /** PUTs of the distribution are denied. */
    denyDistribution: false,
    statusReads: 0,
    /** When set, a distribution stays InProgress this long after each change (else for one status read). */
    deployMs: null as number | null,
    deployedAtMs: 0,
    /** CloudWatch's CacheHitRate (%) for the distribution, with 1000 requests; null: no such metric. */
    hitPct: null as number | null,
    requests: [] as string[],
  };
  const strip = (xml: string) => xml.replace(/^<\?xml[^>]*\?>/, '');
  const error = (code: string, message: string) => `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const path = url.pathname.replace('/2020-05-31', '');
      state.requests.push(`${req.method} ${path}`);
      const send = (status: number, xml: string, etag?: string) => {
        res.writeHead(status, { 'content-type': 'text/xml', ...(etag ? { etag } : {}) });
        res.end(xml);
      };
      const put = (r: Resource, wrap: (xml: string) => string) => {
        if (path.startsWith('/distribution/') && state.denyDistribution) return send(403, error('AccessDenied', 'User is not authorized to perform cloudfront:UpdateDistribution.'));
        if (path.startsWith('/distribution/') && state.staleOnce) { state.staleOnce = false; r.version++; }
        if (req.headers['if-match'] !== `E${r.version}`) return send(412, error('PreconditionFailed', 'The If-Match version is missing or not valid for the resource.'));
        r.xml = strip(body);
        r.version++;
        state.statusReads = 0;
        state.deployedAtMs = Date.now() + (state.deployMs ?? 0);
        return send(200, wrap(r.xml), `E${r.version}`);
      };
      // Only reads of the distribution count towards its deployment.
      const summary = () => {
        const deploying = state.deployMs === null ? state.statusReads++ === 0 : Date.now() < state.deployedAtMs;
        return `<Id>${D}</Id><ARN>${ARN}</ARN><Status>${deploying ? 'InProgress' : 'Deployed'}</Status><DomainName>d.cloudfront.net</DomainName>`;
      };
      // The target's CloudWatch client shares the endpoint: GetMetricData in awsJson1_0.
      if (req.method === 'POST' && String(req.headers['x-amz-target']).endsWith('.GetMetricData')) {
        const queries = (JSON.parse(body) as { MetricDataQueries: { Id: string }[] }).MetricDataQueries;
        const values = (id: string) => (state.hitPct === null ? [] : id.startsWith('hit') ? [state.hitPct] : [1000]);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        return res.end(JSON.stringify({ MetricDataResults: queries.map((q) => ({ Id: q.Id, Timestamps: values(q.Id).map(() => Math.floor(Date.now() / 1000) - 120), Values: values(q.Id), StatusCode: 'Complete' })), Messages: [] }));
      }
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && path === '/distribution') {
        return send(200, `<DistributionList xmlns="${NS}"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>1</Quantity><Items><DistributionSummary><Id>${D}</Id><ARN>${ARN}</ARN><Status>Deployed</Status></DistributionSummary></Items></DistributionList>`);
      }
      if (req.method === 'GET' && path === '/tagging') {
        return send(200, `<Tags xmlns="${NS}"><Items><Tag><Key>Environment</Key><Value>prod</Value></Tag></Items></Tags>`);
      }
      if (req.method === 'GET' && path === `/distribution/${D}/config`) return send(200, state.distribution.xml, `E${state.distribution.version}`);
      if (req.method === 'PUT' && path === `/distribution/${D}/config`) return put(state.distribution, (xml) => `<Distribution xmlns="${NS}"><Id>${D}</Id><ARN>${ARN}</ARN><Status>InProgress</Status>${xml}</Distribution>`);
      if (req.method === 'GET' && path === `/distribution/${D}`) return send(200, `<Distribution xmlns="${NS}">${summary()}${state.distribution.xml}</Distribution>`, `E${state.distribution.version}`);
      if ((m = /^\/cache-policy\/([^/]+)\/config$/.exec(path)) && req.method === 'GET' && state.policies[m[1]!]) {
        return send(200, state.policies[m[1]!]!.xml, `E${state.policies[m[1]!]!.version}`);
      }
      if ((m = /^\/cache-policy\/([^/]+)$/.exec(path)) && req.method === 'PUT' && state.policies[m[1]!]) {
        const id = m[1]!;
        return put(state.policies[id]!, (xml) => `<CachePolicy xmlns="${NS}"><Id>${id}</Id><LastModifiedTime>2026-11-27T01:00:00Z</LastModifiedTime>${xml}</CachePolicy>`);
      }
      return send(404, error('NoSuchResource', `no ${req.method} ${path}`));
    });
  });
  return { server, state };
}

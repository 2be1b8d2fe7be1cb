/** The demo organisation itself: teams, services and their dependencies, environments, people. */
import type { Role } from '../../domain/access.js';
import {
  DEFAULT_ENVIRONMENTS,
  type DataSensitivity,
  type EnvironmentInput,
  type ServiceInput,
  type Slo,
} from '../../domain/catalog.js';
import type { CreateUserInput } from '../../domain/user.js';

export interface TeamPlan {
  name: string;
  displayName: string;
  timeZone: string;
  workItemPrefix: string;
  /** Share of the organisation's releases this team raises. */
  share: number;
  releaseManager: string;
  deployers: string[];
  features: string[];
  fixes: string[];
}

/** Chairs the CAB and sometimes raises releases for a team. */
export const RELEASE_OFFICE = 'priya-release-office';

export const TEAMS: TeamPlan[] = [
  {
    name: 'payments',
    displayName: 'Payments',
    timeZone: 'Europe/London',
    workItemPrefix: 'PAY',
    share: 0.22,
    releaseManager: 'alice-payments',
    deployers: ['bob-payments'],
    features: [
      '3-D Secure 2 frictionless flow',
      'Apple Pay for returning customers',
      'Refunds to the original payment method',
      'SEPA Direct Debit mandates',
      'Multi-currency settlement reports',
      'Card-on-file tokenisation',
      'Partial captures for split shipments',
      'Chargeback evidence upload',
      'Payout schedule per merchant',
      'Ledger export to the finance warehouse',
    ],
    fixes: [
      'Double authorisation on network retry',
      'Rounding error in JPY refunds',
      'Webhook signature check rejects rotated keys',
      'Payout batch stuck when a bank holiday falls on Monday',
      'Idempotency key ignored on capture',
      'Fraud score timeout blocks payment',
    ],
  },
  {
    name: 'checkout',
    displayName: 'Checkout',
    timeZone: 'America/New_York',
    workItemPrefix: 'CHK',
    share: 0.26,
    releaseManager: 'dan-checkout',
    deployers: ['erin-checkout', 'farah-checkout'],
    features: [
      'One-page checkout',
      'Saved carts across devices',
      'Gift cards at checkout',
      'Delivery slot picker',
      'Promo code stacking rules',
      'Express checkout on mobile',
      'Low-stock warning on product pages',
      'Click-and-collect reservations',
      'Address autocomplete',
      'Order summary redesign',
    ],
    fixes: [
      'Cart total ignores a removed promo code',
      'Inventory reservation leaks on abandoned checkout',
      'Price flicker on currency switch',
      'Mobile BFF drops the basket on token refresh',
      'Tax line missing for Canadian provinces',
      'Checkout button disabled after back navigation',
    ],
  },
  {
    name: 'identity',
    displayName: 'Identity',
    timeZone: 'Europe/Berlin',
    workItemPrefix: 'IDN',
    share: 0.16,
    releaseManager: 'gus-identity',
    deployers: ['hana-identity'],
    features: [
      'Passkey sign-in',
      'SSO for business accounts',
      'Step-up authentication for payouts',
      'Consent receipts under GDPR Art. 7',
      'Session management page',
      'Magic-link sign-in',
      'Account recovery with a verified email',
      'Age verification for restricted goods',
      'Profile data export',
      'Risk-based login challenges',
    ],
    fixes: [
      'Session cookie not renewed on key rotation',
      'SAML clock skew rejects valid assertions',
      'Consent banner shown twice',
      'Password reset link expires early in DST week',
      'Email change skips verification',
      'Refresh token reuse not detected',
    ],
  },
  {
    name: 'platform',
    displayName: 'Platform',
    timeZone: 'Europe/Dublin',
    workItemPrefix: 'PLT',
    share: 0.22,
    releaseManager: 'jade-platform',
    deployers: ['kofi-platform', 'tara-platform', 'jade-platform'],
    features: [
      'Config hot reload without restart',
      'Secrets rotation every 30 days',
      'Dead-letter queue replay tool',
      'OpenTelemetry traces across services',
      'Feature-flag percentage rollouts',
      'Gateway rate limits per client',
      'mTLS between services',
      'Per-tenant message quotas',
      'Structured audit logging',
      'Gateway request hedging',
    ],
    fixes: [
      'Config client retries without backoff',
      'Consumer leak on broker rebalance',
      'Gateway 502 on large headers',
      'Secret cache not invalidated on rotation',
      'Flag evaluation slow with many rules',
      'Trace sampling drops error spans',
    ],
  },
  {
    name: 'data',
    displayName: 'Data & Search',
    timeZone: 'Asia/Kolkata',
    workItemPrefix: 'DAT',
    share: 0.14,
    releaseManager: 'mo-data',
    deployers: ['nina-data'],
    features: [
      'Typo-tolerant search',
      'Recommendations from browsing history',
      'Near-real-time sales dashboard',
      'Search facets for sizes and colours',
      'Consent-aware event pipeline',
      'Similar-items carousel',
      'Daily cohort retention tables',
      'Search synonyms managed by merchandisers',
    ],
    fixes: [
      'Pipeline drops late events after midnight UTC',
      'Search index lags after a bulk price change',
      'Recommendations show out-of-stock items',
      'Duplicate events after consumer restart',
      'Facet counts wrong for bundles',
    ],
  },
];

export function slos(name: string, tier: number): Slo[] {
  if (name === 'analytics-pipeline') {
    return [{ name: 'freshness', objective: 'events queryable within 15 minutes', target: 99 }];
  }
  const availability = [99.95, 99.9, 99.5, 99][tier - 1] ?? 99;
  const availabilitySlo = {
    name: 'availability',
    objective: 'non-5xx responses / all responses',
    target: availability,
  };
  if (tier >= 3) return [availabilitySlo];
  return [
    availabilitySlo,
    { name: 'latency', objective: `p95 latency < ${tier === 1 ? 300 : 500} ms`, target: 99 },
  ];
}

// An edge a → b reads "a depends on b": platform pieces at the bottom, the storefront,
// mobile BFF and gateway at the top.
const DEPENDS_ON: Record<string, string[]> = {
  config: [],
  secrets: ['config'],
  messaging: ['config'],
  observability: ['config'],
  'feature-flags': ['config'],
  'api-gateway': ['auth', 'checkout', 'config', 'mobile-bff', 'observability'],
  sessions: ['config', 'secrets'],
  auth: ['config', 'observability', 'secrets', 'sessions'],
  'user-profile': ['auth', 'config', 'messaging'],
  consent: ['messaging', 'user-profile'],
  notifications: ['config', 'messaging', 'user-profile'],
  ledger: ['config', 'messaging', 'secrets'],
  'fraud-detection': ['config', 'messaging', 'user-profile'],
  'payments-core': ['auth', 'fraud-detection', 'ledger', 'messaging', 'secrets'],
  payouts: ['ledger', 'messaging', 'payments-core'],
  billing: ['ledger', 'notifications', 'payments-core'],
  pricing: ['config', 'feature-flags'],
  inventory: ['config', 'messaging'],
  cart: ['inventory', 'pricing', 'sessions'],
  checkout: ['auth', 'cart', 'inventory', 'notifications', 'payments-core', 'pricing'],
  'web-storefront': ['auth', 'cart', 'checkout', 'feature-flags', 'recommendations', 'search'],
  'mobile-bff': ['auth', 'cart', 'checkout', 'search'],
  search: ['config', 'inventory'],
  recommendations: ['analytics-pipeline', 'search', 'user-profile'],
  'analytics-pipeline': ['consent', 'messaging'],
};

const DESCRIPTIONS: Record<string, string> = {
  config: 'Central configuration store every service reads at start-up.',
  secrets: 'Secret distribution and rotation.',
  messaging: 'Event broker and the client library around it.',
  observability: 'Metrics, logs and traces pipeline.',
  'feature-flags': 'Feature flags and percentage rollouts.',
  'api-gateway': 'Public API edge: routing, rate limits, TLS.',
  sessions: 'Session store and token issuing.',
  auth: 'Sign-in, SSO and passkeys.',
  'user-profile': 'Customer profiles and addresses.',
  consent: 'Privacy consent records.',
  notifications: 'Email, SMS and push notifications.',
  ledger: 'Double-entry ledger of every money movement.',
  'fraud-detection': 'Scores payments for fraud before authorisation.',
  'payments-core': 'Authorisation, capture and refunds with the acquirers.',
  payouts: 'Merchant payouts and bank files.',
  billing: 'Invoices and subscription billing.',
  pricing: 'Prices, promotions and tax.',
  inventory: 'Stock levels and reservations.',
  cart: 'Shopping carts across devices.',
  checkout: 'Order placement from cart to payment.',
  'web-storefront': 'The customer web shop.',
  'mobile-bff': 'Backend for the mobile apps.',
  search: 'Product search and facets.',
  recommendations: 'Personalised product recommendations.',
  'analytics-pipeline': 'Event ingestion into the warehouse.',
};

type Audience = 'customer-facing' | 'internal';

export function service(
  name: string,
  team: string,
  tier: 1 | 2 | 3 | 4,
  audience: Audience,
  dataSensitivity: DataSensitivity,
): ServiceInput {
  return {
    name,
    team,
    tier,
    customerFacing: audience === 'customer-facing',
    dataSensitivity,
    description: DESCRIPTIONS[name] ?? '',
    slos: slos(name, tier),
    dependsOn: DEPENDS_ON[name] ?? [],
  };
}

export const SERVICES: ServiceInput[] = [
  service('config', 'platform', 1, 'internal', 'internal'),
  service('secrets', 'platform', 1, 'internal', 'restricted'),
  service('messaging', 'platform', 2, 'internal', 'confidential'),
  service('observability', 'platform', 3, 'internal', 'internal'),
  service('feature-flags', 'platform', 3, 'internal', 'internal'),
  service('api-gateway', 'platform', 1, 'customer-facing', 'confidential'),
  service('sessions', 'identity', 1, 'internal', 'restricted'),
  service('auth', 'identity', 1, 'customer-facing', 'restricted'),
  service('user-profile', 'identity', 2, 'customer-facing', 'restricted'),
  service('consent', 'identity', 3, 'customer-facing', 'confidential'),
  service('notifications', 'identity', 3, 'customer-facing', 'confidential'),
  service('ledger', 'payments', 1, 'internal', 'restricted'),
  service('fraud-detection', 'payments', 2, 'internal', 'restricted'),
  service('payments-core', 'payments', 1, 'customer-facing', 'restricted'),
  service('payouts', 'payments', 2, 'internal', 'restricted'),
  service('billing', 'payments', 3, 'customer-facing', 'confidential'),
  service('pricing', 'checkout', 2, 'internal', 'internal'),
  service('inventory', 'checkout', 2, 'internal', 'internal'),
  service('cart', 'checkout', 2, 'customer-facing', 'confidential'),
  service('checkout', 'checkout', 1, 'customer-facing', 'confidential'),
  service('web-storefront', 'checkout', 1, 'customer-facing', 'public'),
  service('mobile-bff', 'checkout', 2, 'customer-facing', 'confidential'),
  service('search', 'data', 2, 'customer-facing', 'public'),
  service('recommendations', 'data', 4, 'customer-facing', 'internal'),
  service('analytics-pipeline', 'data', 4, 'internal', 'confidential'),
];

/** How many releases each environment may hold at once. */
const CAPACITY: Record<string, number> = { sit: 12, uat: 8, 'pre-prod': 4, prod: 3 };

export function environments(): EnvironmentInput[] {
  return DEFAULT_ENVIRONMENTS.map((e) => ({
    ...e,
    ...(e.production ? { regions: ['eu-west', 'us-east'] } : {}),
    capacity: CAPACITY[e.name] ?? 10,
  }));
}

function person(
  name: string,
  displayName: string,
  team: string | undefined,
  roles: Role[],
): CreateUserInput {
  const email = `${name.replace(/-/g, '.')}@gatehouse-demo.example`;
  return { name, displayName, email, ...(team ? { team } : {}), roles };
}

export const USERS: CreateUserInput[] = [
  person('alice-payments', 'Alice Moreau', 'payments', ['release-manager']),
  person('bob-payments', 'Bob Okafor', 'payments', ['deployer']),
  person('carol-payments', 'Carol Ng', 'payments', ['approver', 'cab-member']),
  person('dan-checkout', 'Dan Whitfield', 'checkout', ['release-manager']),
  person('erin-checkout', 'Erin Castillo', 'checkout', ['deployer']),
  person('farah-checkout', 'Farah Haddad', 'checkout', ['approver', 'deployer']),
  person('gus-identity', 'Gus Lindqvist', 'identity', ['release-manager']),
  person('hana-identity', 'Hana Sato', 'identity', ['deployer']),
  person('ivan-identity', 'Ivan Petrov', 'identity', ['approver', 'cab-member']),
  person('sam-identity', 'Sam Mensah', 'identity', ['approver', 'cab-member']),
  person('jade-platform', 'Jade Brennan', 'platform', ['deployer', 'release-manager']),
  person('kofi-platform', 'Kofi Asante', 'platform', ['deployer']),
  person('lena-platform', 'Lena Fischer', 'platform', ['admin']),
  person('tara-platform', 'Tara Quinn', 'platform', ['deployer']),
  person('mo-data', 'Mo Rahman', 'data', ['release-manager']),
  person('nina-data', 'Nina Iyer', 'data', ['deployer']),
  person('omar-data', 'Omar Shaikh', 'data', ['viewer']),
  person(RELEASE_OFFICE, 'Priya Raman', undefined, ['cab-member', 'release-manager']),
  person('quinn-cab', 'Quinn Adler', undefined, ['approver', 'cab-member']),
  person('rosa-audit', 'Rosa Delgado', undefined, ['auditor']),
];

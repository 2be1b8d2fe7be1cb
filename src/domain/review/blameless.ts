/**
 * The blameless-language check: a review explains how the system let a mistake
 * through, not who made it. A sentence is flagged when it names a person Gatehouse
 * knows (a user's name or display name) together with a word of fault, or when any
 * name-like word is followed by a verb of fault ("Alice broke…", "Bob forgot…").
 * Flags are advice shown beside the text; they do not refuse anything.
 */

export interface KnownPerson {
  name: string;
  displayName: string;
}

export interface LanguageFlag {
  /** Where the sentence is: `/sections/summary`, `/causes/2/text`, `/timeline/0/text`. */
  field: string;
  sentence: string;
  person: string | null;
  reason: string;
}

const FAULT_WORDS =
  /\b(broke|breaks|broken|caused|causes|forgot|forgets|failed to|fails to|missed|neglected|ignored|overlooked|didn't|did not|should have|shouldn't have|messed up|screwed up|fault|blame[ds]?|careless|negligent|mistake|sloppy|incompetent|botched)\b/i;

// "X broke …", "X's change caused …": a capitalised word right before a verb of fault.
const NAME_THEN_FAULT =
  /\b([A-Z][a-z]+)(?:'s)?(?:\s+(?:change|commit|deploy|push|config|script|code))?\s+(broke|caused|forgot|missed|neglected|ignored|botched|messed up|screwed up|failed to|didn't|did not)\b/g;

// Capitalised words that start sentences or name things, not people.
const NOT_NAMES = new Set(
  'The This That These Those It Its We Our Us They Their He She His Her A An One Nobody Someone Somebody Everyone Team Deploy Deployment Release Config Configuration Monitoring Alerting Canary Rollback Pipeline Service Database Migration Test Tests Load Cache Traffic Nothing Which What Who When Then Also And But Because So Later Finally First Second Third Nobody Staging Production Prod Kubernetes Terraform Helm Automation Change Script Job Cron Network Vendor Provider Redis Postgres Kafka Nginx Docker Vault Consul Envoy Istio Linux Java Node Cloudflare Azure Google Amazon Github Gitlab Jenkins Argo Flux Ansible Chef Puppet Mysql Mongo Elasticsearch Rabbit'.split(
    ' ',
  ),
);

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function namedPerson(sentence: string, people: readonly KnownPerson[]): string | null {
  for (const p of people) {
    for (const name of [p.name, p.displayName, p.displayName.split(/\s+/)[0] ?? ''])
      if (name.length >= 3 && new RegExp(`\\b${escape(name)}\\b`, 'i').test(sentence))
        return p.name;
  }
  return null;
}

export function checkSentence(
  sentence: string,
  people: readonly KnownPerson[],
  /** Names of things (services, teams, environments), lowercase: never people. */
  things: ReadonlySet<string> = new Set(),
): { person: string | null; reason: string } | null {
  const fault = FAULT_WORDS.exec(sentence);
  const person = namedPerson(sentence, people);
  if (person && fault)
    return {
      person,
      reason: `attributes fault ("${fault[1]}") to ${person}; describe what the system allowed instead`,
    };
  for (const match of sentence.matchAll(NAME_THEN_FAULT)) {
    const name = match[1]!;
    if (NOT_NAMES.has(name) || things.has(name.toLowerCase())) continue;
    return {
      person: person ?? name,
      reason: `"${match[0]}" blames a person; say what happened and which safeguard was missing`,
    };
  }
  return null;
}

export function checkBlamelessLanguage(
  field: string,
  text: string,
  people: readonly KnownPerson[],
  things: ReadonlySet<string> = new Set(),
): LanguageFlag[] {
  const flags: LanguageFlag[] = [];
  for (const sentence of splitSentences(text)) {
    const found = checkSentence(sentence, people, things);
    if (found) flags.push({ field, sentence, ...found });
  }
  return flags;
}

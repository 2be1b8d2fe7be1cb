/**
 * The service dependency graph. An edge a → b means "a depends on b" (b must be up for a
 * to work), so b is deployed before a and rolled back after it.
 */
export type DependencyEdges = ReadonlyMap<string, readonly string[]>;

/** Returns one cycle as a path that starts and ends on the same node, or null. */
export function findCycle(edges: DependencyEdges): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (node: string): string[] | null => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      const seen = state.get(next);
      if (seen === 'visiting') return [...stack.slice(stack.indexOf(next)), next];
      if (seen === undefined) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };

  for (const node of [...edges.keys()].sort()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Deploy order for a subset of services: dependencies first. Ties are broken by name so
 * the order is stable. Dependencies outside the subset only constrain through the graph
 * (a depends on x depends on b still puts b before a).
 */
export function deployOrder(edges: DependencyEdges, subset: readonly string[]): string[] {
  const wanted = new Set(subset);
  const reach = new Map<string, Set<string>>();
  const reachable = (node: string): Set<string> => {
    const known = reach.get(node);
    if (known) return known;
    const found = new Set<string>();
    reach.set(node, found);
    for (const next of edges.get(node) ?? []) {
      found.add(next);
      for (const deeper of reachable(next)) found.add(deeper);
    }
    return found;
  };
  const remaining = [...wanted].sort();
  const ordered: string[] = [];
  while (remaining.length > 0) {
    const index = remaining.findIndex((candidate) =>
      remaining.every((other) => other === candidate || !reachable(candidate).has(other)),
    );
    if (index < 0) throw new Error('dependency cycle among ' + remaining.join(', '));
    ordered.push(...remaining.splice(index, 1));
  }
  return ordered;
}

/** Rollback order: the reverse of the deploy order (dependents first). */
export function rollbackOrder(edges: DependencyEdges, subset: readonly string[]): string[] {
  return deployOrder(edges, subset).reverse();
}

/** Every service that depends, directly or not, on one of `changed`. */
export function downstreamOf(edges: DependencyEdges, changed: readonly string[]): string[] {
  const dependents = new Map<string, string[]>();
  for (const [from, tos] of edges) {
    for (const to of tos) dependents.set(to, [...(dependents.get(to) ?? []), from]);
  }
  const seen = new Set<string>();
  const queue = [...changed];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const dependent of dependents.get(node) ?? []) {
      if (!seen.has(dependent) && !changed.includes(dependent)) {
        seen.add(dependent);
        queue.push(dependent);
      }
    }
  }
  return [...seen].sort();
}

import type { LocalStore } from '../src/db/local-store';

const AREAS = ['North', 'South', 'East', 'West', 'Riverside', 'Hilltop', 'Market', 'Harbour'];
const NAMES = ['Amina', 'Yusuf', 'Fatima', 'Ibrahim', 'Grace', 'John', 'Mary', 'Musa', 'Halima', 'Peter', 'Aisha', 'Samuel'];
const FAMILIES = ['Bello', 'Okafor', 'Mensah', 'Abubakar', 'Adeyemi', 'Kamau', 'Otieno', 'Nwosu', 'Danjuma', 'Eze'];

/**
 * Households as a district's PCs hold them: 8 areas, names from small lists (so first keystrokes match
 * most of the table), 3 people each and a visit for every other household (a quarter of them follow-ups).
 * Returns the time taken (ms).
 */
export function seedHouseholds(store: LocalStore, count: number): number {
  const started = performance.now();
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const households = store.repos.households.batchCreate(
      Array.from({ length: Math.min(batch, count - start) }, (_, j) => {
        const i = start + j;
        return {
          area: AREAS[i % AREAS.length]!,
          headName: `${NAMES[i % NAMES.length]} ${FAMILIES[(i >> 3) % FAMILIES.length]} ${i}`,
          address: `${i % 977} ${FAMILIES[i % FAMILIES.length]} Street`,
          phone: `0803 ${String(i).padStart(7, '0')}`,
          enteredBy: i % 3 === 0 ? 'amina' : 'yusuf',
        };
      }),
    );
    store.repos.people.batchCreate(
      households.flatMap((h, j) =>
        Array.from({ length: 3 }, (_, k) => ({ householdId: h.id, fullName: `${NAMES[(start + j + k + 1) % NAMES.length]} ${FAMILIES[k]}` })),
      ),
    );
    store.repos.visits.batchCreate(
      households
        .filter((_, j) => j % 2 === 0)
        .map((h, j) => ({ householdId: h.id, visitedAt: 1_700_000_000_000 + (start + j) * 60_000, outcome: j % 4 === 0 ? ('follow_up' as const) : ('completed' as const) })),
    );
  }
  return performance.now() - started;
}


import path from 'node:path';
import { openLocalStore, type LocalStore } from '../../src/db/local-store';
import { readReports } from '../../src/db/reports';
import { tempDir } from '../support/temp';

let store: LocalStore;
beforeEach(() => {
  store = openLocalStore({ file: path.join(tempDir(), 'app.db'), wallClock: () => new Date(2026, 2, 10, 9, 0).getTime() });
});
afterEach(() => store.close());

const at = (day: number, hour = 10) => new Date(2026, 2, day, hour, 0).getTime();

describe('reports', () => {
  it('count live records by area, by local day and by worker, and list the follow-ups still open', () => {
    const { households, people, visits } = store.repos;
    const [amina, yusuf, gone] = households.batchCreate([
      { area: 'North', headName: 'Amina', enteredBy: 'ada' },
      { area: 'South', headName: 'Yusuf', enteredBy: 'ben' },
      { area: 'North', headName: 'Gone', enteredBy: 'ada' },
    ]);
    people.batchCreate([
      { householdId: amina!.id, fullName: 'Amina', enteredBy: 'ada' },
      { householdId: amina!.id, fullName: 'Halima', enteredBy: 'ada' },
      { householdId: yusuf!.id, fullName: 'Yusuf', enteredBy: 'ben' },
    ]);
    const open = visits.create({ householdId: amina!.id, visitedAt: at(3), outcome: 'follow_up', notes: 'back Monday', enteredBy: 'ada' });
    visits.create({ householdId: yusuf!.id, visitedAt: at(4), outcome: 'follow_up', enteredBy: 'ben' });
    // Yusuf's follow-up was done: a later visit closes it.
    visits.create({ householdId: yusuf!.id, visitedAt: at(6), outcome: 'completed', enteredBy: 'ada' });
    visits.create({ householdId: gone!.id, visitedAt: at(4), outcome: 'follow_up', enteredBy: 'ada' });
    households.softDelete(gone!.id);

    const reports = readReports(store.sqlite);
    expect(reports.byArea).toEqual([
      { area: 'North', households: 1, people: 2, visits: 1 },
      { area: 'South', households: 1, people: 1, visits: 2 },
    ]);
    expect(reports.byDay).toEqual([
      { day: '2026-03-10', households: 2, visits: 0 },
      { day: '2026-03-06', households: 0, visits: 1 },
      { day: '2026-03-04', households: 0, visits: 1 },
      { day: '2026-03-03', households: 0, visits: 1 },
    ]);
    expect(reports.byWorker).toEqual([
      { worker: 'ada', households: 1, people: 2, visits: 2 },
      { worker: 'ben', households: 1, people: 1, visits: 1 },
    ]);
    expect(reports.followUps).toEqual([
      expect.objectContaining({ visitId: open.id, householdId: amina!.id, headName: 'Amina', area: 'North', notes: 'back Monday', enteredBy: 'ada' }),
    ]);
    expect(reports.followUpsTruncated).toBe(false);

    const early = readReports(store.sqlite, { from: at(1, 0), to: at(4, 23) });
    expect(early.byDay.map((d) => d.day)).toEqual(['2026-03-04', '2026-03-03']);
    expect(early.byWorker).toEqual([
      { worker: 'ada', households: 0, people: 0, visits: 1 },
      { worker: 'ben', households: 0, people: 0, visits: 1 },
    ]);
  });
});

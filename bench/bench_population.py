#!/usr/bin/python3
"""Population throughput of mgsim (issue 4, item 5): person-days per second per core for the
full whole-body kinetic model with three meals and one supplement dose a day.

usage: /usr/bin/python3 bench/bench_population.py [--mgsim build/mgsim] [--people 20000]
                                                  [--days 30] [--reps 3] [--json FILE]

What it measures:
  expo   `mgsim population` (exponential ETD2RK fast path, docs/models/population.md) with every
         person taking a daily 200-mg citrate dose at 21:00 besides three meals, 1 thread:
         person_days_per_s from summary.json (simulated days of the scenario / wall time of the
         simulation; the per-person setup, i.e. the matrix exponential, the algebraic steady
         state and 3 settle days, is included in the time but not counted as person-days).
         Target: >= 1e5 person-days/s per core.
  cvode  the same person (70 kg, 320 mg/day, the same dose) with `mgsim body`, solver cvode
         (the reference integrator, BDF restarted at every meal and dose), 365 days, no output
         files: 365 / wall time of the whole command (fed steady state included).
  rk4    the same with `mgsim body`, solver fast (fixed-step RK4, 0.05 h).
  mpi    (when mpirun is present and the build has MPI) `mpirun -np 2` of the expo case with 1
         thread per rank: the rate per core.
Timings are the median of --reps runs. The machine is whatever runs this; say which.
"""
import argparse, json, os, platform, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BODY = """person: {age_y: 40, sex: female, weight_kg: 70}
diet: {mg_per_day: 320}
duration_days: %d
output: {sample_h: 24}
solver: %s
regimen:
  doses:
    - {time: "21:00", mg: 200, form: citrate, with_food: false}
"""


def expo(mgsim, people, days, reps, mpi=False):
    rates = []
    for _ in range(reps):
        out = tempfile.mkdtemp(prefix='mgpop')
        cmd = [mgsim, 'population', os.path.join(ROOT, 'examples/population/supplements.yaml'),
               '-o', out, '-q', '--set', 'population.n_people=%d' % people,
               '--set', 'duration_days=%d' % days, '--set', 'threads=1',
               '--set', 'supplement.share=1', '--set', 'output.people_csv=false']
        if mpi:
            cmd = ['mpirun', '--allow-run-as-root', '--oversubscribe', '-np', '2'] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, 'summary.json')) as f:
            s = json.load(f)
        shutil.rmtree(out, ignore_errors=True)
        rates.append(s['person_days_per_s_per_core'])
    return statistics.median(rates), rates


def body(mgsim, solver, days, reps):
    d = tempfile.mkdtemp(prefix='mgbody')
    path = os.path.join(d, 'b.yaml')
    with open(path, 'w') as f:
        f.write(BODY % (days, solver))
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run([mgsim, 'body', path, '-q'], check=True, stdout=subprocess.DEVNULL)
        rates.append(days / (time.perf_counter() - t0))
    shutil.rmtree(d, ignore_errors=True)
    return statistics.median(rates), rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mgsim', default=os.path.join(ROOT, 'build', 'mgsim'))
    ap.add_argument('--people', type=int, default=20000)
    ap.add_argument('--days', type=int, default=30)
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--json', default=None)
    a = ap.parse_args()
    res = {'machine': platform.node(), 'cpu': platform.processor() or platform.machine(),
           'date': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
           'command': ' '.join(sys.argv)}
    r, runs = expo(a.mgsim, a.people, a.days, a.reps)
    res['expo'] = {'person_days_per_s_per_core': r, 'runs': runs, 'people': a.people,
                   'days': a.days}
    r, runs = body(a.mgsim, 'cvode', 365, a.reps)
    res['cvode'] = {'person_days_per_s': r, 'runs': runs}
    r, runs = body(a.mgsim, 'fast', 365, a.reps)
    res['rk4'] = {'person_days_per_s': r, 'runs': runs}
    helptext = subprocess.run([a.mgsim, 'population', '--help'], capture_output=True,
                              text=True).stdout
    if shutil.which('mpirun') and 'MPI enabled' in helptext:
        r, runs = expo(a.mgsim, a.people, a.days, a.reps, mpi=True)
        res['mpi2'] = {'person_days_per_s_per_core': r, 'runs': runs}
    print('population throughput (person-days per second per core), %s' % res['date'])
    print('  %-44s %12.4g   (target >= 1e5)' % ('exponential fast path (mgsim population)',
                                                res['expo']['person_days_per_s_per_core']))
    if 'mpi2' in res:
        print('  %-44s %12.4g' % ('same, mpirun -np 2 (per core)',
                                  res['mpi2']['person_days_per_s_per_core']))
    print('  %-44s %12.4g' % ('CVODE (mgsim body, solver cvode)', res['cvode']['person_days_per_s']))
    print('  %-44s %12.4g' % ('RK4 0.05 h (mgsim body, solver fast)', res['rk4']['person_days_per_s']))
    print('  speed-up of the fast path over CVODE: %.0fx' %
          (res['expo']['person_days_per_s_per_core'] / res['cvode']['person_days_per_s']))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())

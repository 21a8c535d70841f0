#!/usr/bin/python3
# Produces bench/reference/brian2_reference.json (and the raw per-run records
# bench/reference/brian2_runs.jsonl) from the Brian2 peer scripts in this folder.
#
# usage (from anywhere; run with Debian's Brian2, i.e. /usr/bin/python3):
#   nice -n 5 /usr/bin/python3 bench/make_brian2_reference.py [--out DIR] [--quick]
#                                      [--steps wang_mg,method_check,coba,stationarity]
#                                      [--summarise-only]
# --steps: run only these steps (default: all four). The records of steps not run are kept from
#          the existing brian2_runs.jsonl (and their commands from the existing JSON), those of
#          the steps run are replaced; the JSON is then rebuilt from all records.
# --summarise-only: rebuild the JSON from the existing brian2_runs.jsonl without running Brian2.
# --quick: 0.3 s runs (3 s for stationarity), 2 seeds, for checking the driver only; use it with
#          --out elsewhere, never for the committed reference.
#
# What it runs, strictly one Brian2 process at a time, single-threaded (make -j1, no OpenMP),
# all in cpp_standalone mode:
#   1. wang_mg:       brian2_wang_mg.py standalone 2.0 <mg> <seed> 1 --method rk2
#                     for mg in 0.5 1.0 2.0 and seed in 1..5              (the reference)
#   2. method_check:  brian2_wang_mg.py standalone 2.0 1.0 <seed> 1 --method euler|rk4,
#                     seeds 1..5 (extra: how much the integrator moves the rates, compared with
#                     the seed-to-seed spread; compared against the rk2 runs of step 1)
#   3. coba:          brian2_coba_seeds.py standalone 1.0 4000 <seed> 1, seed in 1..5
#   4. stationarity:  brian2_wang_mg.py standalone 6.0 <mg> <seed> 1 --method rk2 --bins 0.5 for
#                     (mg, seed) = (1.0, 1) and (0.5, 3) (extra: population rate in 0.5 s windows,
#                     to show where the initial transient ends)
# The wang runs reuse one build folder per method (--build-dir), so after the first run make
# only recompiles the few generated files that Mg or the seed change; the first run of each
# method is therefore a full compile (see make_s in the per-run records).
import json, math, os, platform, subprocess, sys, datetime, tempfile, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
PY = '/usr/bin/python3'
args = sys.argv[1:]
quick = '--quick' in args
out_dir = os.path.join(HERE, 'reference')
if '--out' in args:
    out_dir = os.path.abspath(args[args.index('--out') + 1])
os.makedirs(out_dir, exist_ok=True)

T_WANG = 0.3 if quick else 2.0
T_COBA = 0.3 if quick else 1.0
T_STAT = 3.0 if quick else 6.0
SEEDS = [1, 2] if quick else [1, 2, 3, 4, 5]
MGS = [0.5, 1.0, 2.0]
N_COBA = 4000
STAT_RUNS = [(1.0, 1), (0.5, 3)]
ALL_STEPS = ['wang_mg', 'method_check', 'coba', 'stationarity']
steps = ALL_STEPS
if '--steps' in args:
    steps = args[args.index('--steps') + 1].split(',')
    bad = [x for x in steps if x not in ALL_STEPS]
    if bad:
        sys.exit(f'unknown step(s) {bad}; choose from {ALL_STEPS}')
summarise_only = '--summarise-only' in args
if summarise_only:
    steps = []


def step_of_record(r):
    if r['model'] == 'coba':
        return 'coba'
    if r.get('bins'):
        return 'stationarity'
    return 'wang_mg' if r['method'] == 'rk2' else 'method_check'


def step_of_command(c):
    if 'coba' in c:
        return 'coba'
    if '--bins' in c:
        return 'stationarity'
    return 'wang_mg' if '--method rk2' in c else 'method_check'


raw = os.path.join(out_dir, 'brian2_runs.jsonl')
path = os.path.join(out_dir, 'brian2_reference.json')
old_recs, commands = [], []
if os.path.exists(raw):
    with open(raw) as f:
        old_recs = [json.loads(l) for l in f if l.strip()]
if os.path.exists(path):
    with open(path) as f:
        commands = json.load(f).get('commands', [])
    # the first version of this driver let the scripts append to brian2_runs.jsonl directly;
    # now they append to a temporary $RAW that is merged into it: same records, same meaning
    commands = [c.replace('--json bench/reference/brian2_runs.jsonl', '--json $RAW') for c in commands]
kept = [r for r in old_recs if step_of_record(r) not in steps]
commands = [c for c in commands if step_of_command(c) not in steps]
build_root = tempfile.mkdtemp(prefix='mgsim_brian2_ref_')
new_raw = os.path.join(build_root, 'new_runs.jsonl')


def run(cmd):
    printable = ' '.join(cmd).replace(HERE + '/', 'bench/').replace(new_raw, '$RAW').replace(build_root, '$BUILD')
    commands.append(printable)
    print('+', printable, flush=True)
    r = subprocess.run(cmd, cwd=HERE, capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith(('mode=', 'bins_width='))]
    for l in lines:
        print('  ', l, flush=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr[-4000:])
        sys.exit(f'command failed: {printable}')


def stats(xs):
    xs = [x for x in xs if x is not None]
    n = len(xs)
    if n == 0:
        return None
    m = sum(xs) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1)) if n > 1 else None
    return dict(n=n, mean=m, sd=sd, sem=(sd / math.sqrt(n) if sd is not None else None),
                min=min(xs), max=max(xs))


def wang_cmd(T, mg, s, method, extra=()):
    return [PY, os.path.join(HERE, 'brian2_wang_mg.py'), 'standalone', str(T), str(mg), str(s), '1',
            '--method', method, '--build-dir', os.path.join(build_root, 'wang_' + method), *extra,
            '--json', new_raw]


if 'wang_mg' in steps:
    for mg in MGS:
        for s in SEEDS:
            run(wang_cmd(T_WANG, mg, s, 'rk2'))
if 'method_check' in steps:
    for method in ('euler', 'rk4'):
        for s in SEEDS:
            run(wang_cmd(T_WANG, 1.0, s, method))
if 'coba' in steps:
    for s in SEEDS:
        run([PY, os.path.join(HERE, 'brian2_coba_seeds.py'), 'standalone', str(T_COBA), str(N_COBA), str(s),
             '1', '--json', new_raw])
if 'stationarity' in steps:
    for mg, s in STAT_RUNS:
        run(wang_cmd(T_STAT, mg, s, 'rk2', ('--bins', '0.5')))
new_recs = []
if os.path.exists(new_raw):
    with open(new_raw) as f:
        new_recs = [json.loads(l) for l in f if l.strip()]
shutil.rmtree(build_root, ignore_errors=True)
recs = kept + new_recs
order = {k: i for i, k in enumerate(ALL_STEPS)}
recs.sort(key=lambda r: order[step_of_record(r)])  # stable: run order kept within a step
commands.sort(key=lambda c: order[step_of_command(c)])
with open(raw + '.tmp', 'w') as f:
    for r in recs:
        f.write(json.dumps(r) + '\n')
os.replace(raw + '.tmp', raw)

wang = [r for r in recs if step_of_record(r) in ('wang_mg', 'method_check')]
coba = [r for r in recs if step_of_record(r) == 'coba']
stat = [r for r in recs if step_of_record(r) == 'stationarity']


def dates(rs):
    d = sorted(r['date'] for r in rs)
    return [d[0], d[-1]] if d else None


def per_run_wang(r):
    keys = ('mg_mM', 'seed', 'method', 'synapses', 'syn_EE', 'syn_EI', 'syn_IE', 'syn_II', 'spikes_E', 'spikes_I',
            'rate_E_Hz', 'rate_I_Hz', 'rate_E_late_Hz', 'rate_I_late_Hz', 'make_s', 'run_binary_s',
            'sim_only_s', 'wall_total_s')
    return {k: r[k] for k in keys}


def summarise_wang(rs):
    return dict(n_seeds=len(rs), seeds=[r['seed'] for r in rs],
                rate_E_Hz=stats([r['rate_E_Hz'] for r in rs]), rate_I_Hz=stats([r['rate_I_Hz'] for r in rs]),
                rate_E_late_Hz=stats([r['rate_E_late_Hz'] for r in rs]),
                rate_I_late_Hz=stats([r['rate_I_late_Hz'] for r in rs]),
                sim_only_s=stats([r['sim_only_s'] for r in rs]))


main = [r for r in wang if step_of_record(r) == 'wang_mg']
by_mg = {}
for mg in MGS:
    rs = [r for r in main if r['mg_mM'] == mg]
    by_mg[f'{mg:g}'] = summarise_wang(rs)
# Mg effect within each seed (same seed = same connectivity and input streams at every Mg):
# ratio of a seed's rate at Mg to its rate at 1 mM, summarised over seeds.
mg_effect = {}
for key in ('rate_E_Hz', 'rate_I_Hz', 'rate_E_late_Hz', 'rate_I_late_Hz'):
    ref = {r['seed']: r[key] for r in main if r['mg_mM'] == 1.0}
    mg_effect[key.replace('_Hz', '') + '_ratio_to_1mM'] = {
        f'{mg:g}': stats([r[key] / ref[r['seed']] for r in main
                          if r['mg_mM'] == mg and r['seed'] in ref and r[key] is not None and ref[r['seed']]])
        for mg in MGS}


def falls_with_mg(seed, key):
    rs = sorted([r for r in main if r['seed'] == seed], key=lambda r: r['mg_mM'])
    return all(a[key] > b[key] for a, b in zip(rs, rs[1:]))


monotone = all(falls_with_mg(s, key) for s in sorted({r['seed'] for r in main})
               for key in ('rate_E_Hz', 'rate_I_Hz'))
check = {}
for method in ('euler', 'rk2', 'rk4'):
    rs = [r for r in wang if r['method'] == method and r['mg_mM'] == 1.0]
    check[method] = summarise_wang(rs)

g = subprocess.run(['g++', '--version'], capture_output=True, text=True).stdout.splitlines()
cpu = ''
try:
    with open('/proc/cpuinfo') as f:
        cpu = next((l.split(':', 1)[1].strip() for l in f if l.startswith('model name')), '')
except OSError:
    pass
first = recs[0]
note = ('complete set as specified (3 Mg x 5 seeds x 2 s for wang_mg, 5 seeds x 1 s for coba), plus two '
        'extras: wang_mg_method_check and wang_mg_stationarity' if not quick else
        'QUICK CHECK RUN (--quick): 0.3 s, 2 seeds; not a reference')
out = dict(
    description='Brian2 peer reference rates for mgsim benchmarks; produced by bench/make_brian2_reference.py',
    note=note,
    brian2_version=first['brian2_version'], python=first['python'], mode='standalone (cpp_standalone, g++)',
    threads=1, date=datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
    machine=dict(uname_m=platform.machine(), nproc=os.cpu_count(), cpu=cpu, compiler=g[0] if g else None,
                 uname=' '.join(platform.uname())),
    stats_definitions=dict(mean='arithmetic mean over seeds', sd='sample standard deviation (n-1)',
                           sem='sd / sqrt(n)', rate='spikes / N / T over the whole run',
                           rate_late='spikes with t > late_from_s / N / (T - late_from_s)'),
    commands=commands,
    wang_mg=dict(
        script='bench/brian2_wang_mg.py', method='rk2', dt_ms=main[0]['dt_ms'], T_s=T_WANG, late_from_s=0.5,
        n_E=1600, n_I=400, p=0.2, mg_mM=MGS, seeds=SEEDS,
        run_dates=dates(main), by_mg=by_mg, mg_effect=mg_effect,
        rates_fall_with_mg_in_every_seed=monotone,
        runs=[per_run_wang(r) for r in main]),
    wang_mg_method_check=dict(
        purpose='sensitivity of the rates to the integration method at Mg 1 mM (same seeds, so same '
                'connectivity and Poisson streams until trajectories diverge); not the reference',
        T_s=T_WANG, mg_mM=1.0, run_dates=dates([r for r in wang if step_of_record(r) == 'method_check']),
        by_method=check,
        runs=[per_run_wang(r) for r in wang if step_of_record(r) == 'method_check']),
    wang_mg_stationarity=dict(
        purpose='population rates in consecutive windows of a longer run, to show the initial '
                'transient (all neurons start at V = EL, s = x = 0) and that the rates are '
                'stationary afterwards; not the reference',
        method='rk2', T_s=T_STAT, run_dates=dates(stat),
        runs=[dict(mg_mM=r['mg_mM'], seed=r['seed'], rate_E_Hz=r['rate_E_Hz'], rate_I_Hz=r['rate_I_Hz'],
                   rate_E_late_Hz=r['rate_E_late_Hz'], rate_I_late_Hz=r['rate_I_late_Hz'],
                   bin_width_s=r['bins']['width_s'], rate_E_bins_Hz=r['bins']['E'],
                   rate_I_bins_Hz=r['bins']['I'], sim_only_s=r['sim_only_s']) for r in stat]),
    coba=dict(
        script='bench/brian2_coba_seeds.py (model of ../shared/bench/brian2_coba.py with seed(s))',
        method='exponential_euler', dt_ms=coba[0]['dt_ms'], T_s=T_COBA, N=N_COBA, seeds=SEEDS,
        run_dates=dates(coba),
        rate_Hz=stats([r['rate_Hz'] for r in coba]), sim_only_s=stats([r['sim_only_s'] for r in coba]),
        runs=[{k: r[k] for k in ('seed', 'synapses', 'spikes', 'rate_Hz', 'make_s', 'run_binary_s',
                                 'sim_only_s', 'wall_total_s')} for r in coba]),
)
with open(path + '.tmp', 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
os.replace(path + '.tmp', path)
print('wrote', path)
print(f"{'Mg':>4} {'E mean':>8} {'E sd':>7} {'I mean':>8} {'I sd':>7}")
for mg, d in by_mg.items():
    print(f"{mg:>4} {d['rate_E_Hz']['mean']:8.3f} {d['rate_E_Hz']['sd'] or 0:7.3f} "
          f"{d['rate_I_Hz']['mean']:8.3f} {d['rate_I_Hz']['sd'] or 0:7.3f}")
c = out['coba']['rate_Hz']
print(f"COBA mean {c['mean']:.3f} sd {c['sd'] or 0:.3f} min {c['min']:.3f} max {c['max']:.3f}")

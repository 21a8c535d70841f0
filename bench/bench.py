#!/usr/bin/python3
"""mgsim benchmarks against the Brian2 peer, on the same machine in the same run.

usage: /usr/bin/python3 bench/bench.py [--mgsim build/mgsim] [--reps 3]
                                       [--only coba,wang,memory,threads,gbcoba,gbmemory,gbnmda]
                                       [--json bench/results/latest.json]

What it measures (the targets come from the network-engine issue):
  coba     Brette et al. 2007 COBA, 10 s simulated, 1 thread: mgsim's simulation-loop time
           (summary.json loop_wall_s) against Brian2 cpp_standalone's run time
           (device._last_run_time, ../shared/bench/brian2_coba.py). Target: >= 6x.
  wang     the Brunel-Wang network with Mg-blocked NMDA (examples/net/wang_mg.yaml), 5 s, 1 thread,
           against bench/brian2_wang_mg.py (cpp_standalone). Target: >= 10x.
  memory   bytes per static synapse: peak RSS of a 10^7-synapse network minus that of the same
           neurons without synapses, divided by the synapse count. Target: <= 12 bytes.
  threads  COBA with 2 threads against 1 thread (loop time). Target: >= 1.6x.
  gbcoba   COBA with every E->E synapse plastic (Graupner & Brunel 2012, spike-time calcium;
           examples/net/coba_plastic.yaml), 10 s, 1 thread, against bench/brian2_gb_coba.py
           (cpp_standalone): --style event (event-driven analytic updates, mgsim's algorithm;
           one 10 s run) and --style clock (c and rho integrated every step, as Brian2's own
           Graupner_Brunel_2012.py; one run of --clock-seconds, scaled to 10 s: its cost is
           synapses x steps whatever the activity). Targets: >= 10x faster than Brian2, >= real
           time (loop <= 10 s).
  gbmemory bytes per plastic synapse, as memory but with every synapse plastic. Target: <= 20 B.
  gbnmda   the gbcoba network with NMDA-driven calcium (projections.EE.plasticity.calcium=nmda,
           nmda_scale 9.5 = 1/B(-55 mV, 1 mM)), 10 s, 1 thread: its loop time against the static
           COBA network (examples/net/coba.yaml: the cost factor of plasticity) and against spike
           calcium (the cost of the per-synapse calcium), all three in the same run; with the
           mean rho of the recorded synapses at the end and the reported bytes per plastic synapse.
mgsim timings are the median of --reps runs; Brian2's COBA the median of --peer-reps runs, its
wang_mg one run (52 s); Brian2's compile time is excluded: only the simulation loop is compared,
as for mgsim. Every run of both is kept in the JSON. Results are printed as a table and
written as JSON; docs/benchmarks.md records them with this command.
"""
import argparse, json, os, platform, re, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared', 'bench')


def mean_rho_last(path):
    """Mean rho of the last sample of weights.csv (t_ms,projection,pre,post,w_nS,rho)."""
    last, vals = None, []
    with open(path) as f:
        next(f)
        for line in f:
            c = line.rstrip('\n').split(',')
            if c[0] != last:
                last, vals = c[0], []
            vals.append(float(c[5]))
    return sum(vals) / len(vals) if vals else float('nan')


def run_mgsim(mgsim, model, sets, threads=1):
    out = tempfile.mkdtemp(prefix='mgbench')
    cmd = [mgsim, 'net', model, '-o', out, '--quiet', '--threads', str(threads)]
    for s in sets:
        cmd += ['--set', s]
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f'bench: {" ".join(cmd)} failed ({r.returncode}):\n{r.stderr}')
    with open(os.path.join(out, 'summary.json')) as f:
        s = json.load(f)
    s['_wall_cmd'] = time.time() - t0
    if os.path.exists(os.path.join(out, 'weights.csv')):
        s['_rho_mean_end'] = mean_rho_last(os.path.join(out, 'weights.csv'))
    subprocess.run(['rm', '-rf', out])
    return s


def median_runs(mgsim, model, sets, reps, threads=1):
    runs = [run_mgsim(mgsim, model, sets, threads) for _ in range(reps)]
    loop = statistics.median(r['loop_wall_s'] for r in runs)
    return loop, runs


def run_brian(script, args):
    cmd = ['/usr/bin/python3', script] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f'bench: {" ".join(cmd)} failed:\n{r.stderr[-2000:]}')
    line = [l for l in r.stdout.splitlines() if 'sim_only=' in l][-1]
    fields = dict(kv.split('=', 1) for kv in line.split() if '=' in kv)
    return float(fields['sim_only']), fields


def rate_of(summary):
    pops = summary['populations']
    n = sum(p['n'] for p in pops.values())
    return sum(p['spikes'] for p in pops.values()) / n / (summary['duration_ms'] / 1000.0)


def write_model(path, n, p, with_syn, plastic=False):
    proj = ''
    if with_syn and plastic:
        proj = f"""projections:
  PP: {{from: P, to: P, receptor: ampa, rule: fixed_probability, p: {p}, autapses: true,
        delay_ms: 0.1, plasticity: {{rule: graupner_brunel, params: DP, w_min_nS: 0.5,
        w_max_nS: 1.5, rho_init: {{dist: uniform, low: 0, high: 1}}}}}}
"""
    elif with_syn:
        proj = f"""projections:
  PP: {{from: P, to: P, receptor: ampa, rule: fixed_probability, p: {p}, autapses: true,
        weight_nS: {{dist: normal, mean: 1.0, sd: 0.2}}, delay_ms: 0.1}}
"""
    with open(path, 'w') as f:
        f.write(f"""# memory benchmark: {n} LIF neurons{' with p = ' + str(p) if with_syn else ', no synapses'}
run: {{duration_ms: 1, dt_ms: 0.1, seed: 1}}
populations:
  P: {{model: lif, n: {n}}}
{proj}record: {{spikes: [], rates_bin_ms: 0}}
""")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--mgsim', default=os.path.join(ROOT, 'build', 'mgsim'))
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--peer-reps', type=int, default=3,
                    help='Brian2 COBA runs (median taken; each recompiles, ~15 s)')
    ap.add_argument('--only', default='coba,wang,memory,threads',
                    help='comma-separated: coba, wang, memory, threads, gbcoba, gbmemory, gbnmda')
    ap.add_argument('--clock-seconds', type=float, default=1.0,
                    help='simulated seconds of the clock-driven Brian2 GB run (scaled to 10 s)')
    ap.add_argument('--json', default=os.path.join(ROOT, 'bench', 'results', 'latest.json'))
    a = ap.parse_args()
    only = set(a.only.split(','))
    res = {'date': time.strftime('%Y-%m-%d %H:%M:%S'), 'machine': platform.machine(),
           'cpu': subprocess.run(['sh', '-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                                 capture_output=True, text=True).stdout.strip(),
           'nproc': os.cpu_count(), 'command': ' '.join(['bench/bench.py'] + sys.argv[1:])}
    ver = subprocess.run([a.mgsim, '--version'], capture_output=True, text=True).stdout.strip()
    res['mgsim'] = ver
    rows = []
    coba = os.path.join(ROOT, 'examples', 'net', 'coba.yaml')
    wang = os.path.join(ROOT, 'examples', 'net', 'wang_mg.yaml')
    if 'coba' in only:
        loop, runs = median_runs(a.mgsim, coba, ['run.duration_ms=10000'], a.reps)
        peer = [run_brian(os.path.join(SHARED, 'brian2_coba.py'), ['standalone', 10, 4000, 1])
                for _ in range(a.peer_reps)]
        b = statistics.median(x[0] for x in peer)
        bf = peer[0][1]
        res['coba'] = {'mgsim_loop_s': loop, 'mgsim_loop_all_s': [r['loop_wall_s'] for r in runs],
                       'brian2_sim_all_s': [x[0] for x in peer],
                       'mgsim_rate_hz': rate_of(runs[0]), 'brian2_sim_s': b,
                       'brian2_rate_hz': float(bf['rate'].rstrip('Hz')), 'speedup': b / loop,
                       'synapses': runs[0]['synapses']}
        rows.append(('COBA 10 s, 1 thread', f'{loop:.3f} s', f'{b:.3f} s', f'{b / loop:.1f}x', '>= 6x'))
    if 'wang' in only:
        loop, runs = median_runs(a.mgsim, wang, ['run.duration_ms=5000'], a.reps)
        b, bf = run_brian(os.path.join(ROOT, 'bench', 'brian2_wang_mg.py'), ['standalone', 5, 1.0, 1, 1])
        pe = runs[0]['populations']
        res['wang'] = {'mgsim_loop_s': loop, 'mgsim_rate_E_hz': pe['E']['rate_hz'],
                       'mgsim_rate_I_hz': pe['I']['rate_hz'], 'brian2_sim_s': b,
                       'brian2_rate_E_hz': float(bf['rate_E'].rstrip('Hz')),
                       'brian2_rate_I_hz': float(bf['rate_I'].rstrip('Hz')), 'speedup': b / loop}
        rows.append(('wang_mg 5 s, 1 thread', f'{loop:.3f} s', f'{b:.3f} s', f'{b / loop:.1f}x', '>= 10x'))
    if 'memory' in only:
        d = tempfile.mkdtemp(prefix='mgmem')
        n, p = 10000, 0.1  # 10^7 synapses
        write_model(os.path.join(d, 'base.yaml'), n, p, False)
        write_model(os.path.join(d, 'syn.yaml'), n, p, True)
        base = run_mgsim(a.mgsim, os.path.join(d, 'base.yaml'), [])
        syn = run_mgsim(a.mgsim, os.path.join(d, 'syn.yaml'), [])
        bps = (syn['peak_rss_mb'] - base['peak_rss_mb']) * 1048576.0 / syn['synapses']
        res['memory'] = {'synapses': syn['synapses'], 'rss_base_mb': base['peak_rss_mb'],
                         'rss_syn_mb': syn['peak_rss_mb'], 'bytes_per_synapse_rss': bps,
                         'bytes_per_synapse_reported': syn['bytes_per_synapse']}
        rows.append(('memory, 1e7 synapses', f'{bps:.2f} B/syn', '', '', '<= 12 B'))
        subprocess.run(['rm', '-rf', d])
    if 'threads' in only:
        l1, _ = median_runs(a.mgsim, coba, ['run.duration_ms=10000'], a.reps, 1)
        l2, _ = median_runs(a.mgsim, coba, ['run.duration_ms=10000'], a.reps, 2)
        res['threads'] = {'loop_1_s': l1, 'loop_2_s': l2, 'speedup': l1 / l2}
        # the same at 16x the size (64,000 neurons, p = 0.02/16 to keep the in-degree)
        big = ['run.duration_ms=1000', 'populations.E.n=51200', 'populations.I.n=12800'] + \
              [f'projections.{p}.p=0.00125' for p in ('EE', 'EI', 'IE', 'II')]
        b1, _ = median_runs(a.mgsim, coba, big, a.reps, 1)
        b2, _ = median_runs(a.mgsim, coba, big, a.reps, 2)
        res['threads_64k'] = {'loop_1_s': b1, 'loop_2_s': b2, 'speedup': b1 / b2}
        rows.append(('COBA x16 1 s, 2 vs 1 thread', f'{b2:.3f} s', f'{b1:.3f} s (1 thr)', f'{b1 / b2:.2f}x', ''))
        rows.append(('COBA 10 s, 2 vs 1 thread', f'{l2:.3f} s', f'{l1:.3f} s (1 thr)', f'{l1 / l2:.2f}x', '>= 1.6x'))
    if 'gbcoba' in only:
        gb = os.path.join(ROOT, 'examples', 'net', 'coba_plastic.yaml')
        loop, runs = median_runs(a.mgsim, gb, ['run.duration_ms=10000'], a.reps)
        script = os.path.join(ROOT, 'bench', 'brian2_gb_coba.py')
        ev, evf = run_brian(script, ['standalone', 10, 4000, 1, '--style', 'event'])
        ck, ckf = run_brian(script, ['standalone', a.clock_seconds, 4000, 1, '--style', 'clock'])
        ck10 = ck * 10.0 / a.clock_seconds
        pe = runs[0]['populations']['E']
        res['gbcoba'] = {'mgsim_loop_s': loop, 'mgsim_loop_all_s': [r['loop_wall_s'] for r in runs],
                         'mgsim_rate_E_hz': pe['rate_hz'], 'mgsim_rate_hz': rate_of(runs[0]),
                         'plastic_synapses': runs[0].get('plastic_synapses'),
                         'brian2_event_sim_s': ev,
                         'brian2_event_rate_E_hz': float(evf['rate_E'].rstrip('Hz')),
                         'brian2_event_rho_mean_T': float(evf['rho_mean_T']),
                         'brian2_clock_sim_s': ck, 'brian2_clock_seconds': a.clock_seconds,
                         'brian2_clock_sim_10s_scaled': ck10,
                         'brian2_clock_rate_E_hz': float(ckf['rate_E'].rstrip('Hz')),
                         'speedup_event': ev / loop, 'speedup_clock': ck10 / loop,
                         'realtime_factor': 10.0 / loop}
        rows.append(('GB COBA 10 s vs event-driven', f'{loop:.2f} s', f'{ev:.2f} s', f'{ev / loop:.1f}x',
                     '>= 10x'))
        rows.append(('GB COBA 10 s vs clock-driven', f'{loop:.2f} s', f'{ck10:.0f} s (scaled)',
                     f'{ck10 / loop:.0f}x', '>= 10x'))
        rows.append(('GB COBA real time', f'{10.0 / loop:.2f}x', '', '', '>= 1x'))
    if 'gbmemory' in only:
        d = tempfile.mkdtemp(prefix='mgmem')
        n, p = 10000, 0.1
        write_model(os.path.join(d, 'base.yaml'), n, p, False)
        write_model(os.path.join(d, 'syn.yaml'), n, p, True, plastic=True)
        base = run_mgsim(a.mgsim, os.path.join(d, 'base.yaml'), [])
        syn = run_mgsim(a.mgsim, os.path.join(d, 'syn.yaml'), [])
        bps = (syn['peak_rss_mb'] - base['peak_rss_mb']) * 1048576.0 / syn['synapses']
        res['gbmemory'] = {'synapses': syn['synapses'], 'rss_base_mb': base['peak_rss_mb'],
                           'rss_syn_mb': syn['peak_rss_mb'], 'bytes_per_synapse_rss': bps,
                           'bytes_per_plastic_synapse_reported':
                               syn.get('bytes_per_plastic_synapse')}
        rows.append(('memory, 1e7 plastic synapses', f'{bps:.2f} B/syn', '', '', '<= 20 B'))
        subprocess.run(['rm', '-rf', d])
    if 'gbnmda' in only:
        gb = os.path.join(ROOT, 'examples', 'net', 'coba_plastic.yaml')
        ten = ['run.duration_ms=10000']
        nmda = ten + ['projections.EE.plasticity.calcium=nmda',
                      'projections.EE.plasticity.nmda_scale=9.5']
        ls, rs = median_runs(a.mgsim, coba, ten, a.reps)
        lp, rp = median_runs(a.mgsim, gb, ten, a.reps)
        ln, rn = median_runs(a.mgsim, gb, nmda, a.reps)
        res['gbnmda'] = {'static_loop_s': ls, 'spike_loop_s': lp, 'nmda_loop_s': ln,
                         'static_loop_all_s': [r['loop_wall_s'] for r in rs],
                         'spike_loop_all_s': [r['loop_wall_s'] for r in rp],
                         'nmda_loop_all_s': [r['loop_wall_s'] for r in rn],
                         'static_rate_E_hz': rs[0]['populations']['E']['rate_hz'],
                         'spike_rate_E_hz': rp[0]['populations']['E']['rate_hz'],
                         'nmda_rate_E_hz': rn[0]['populations']['E']['rate_hz'],
                         'spike_rho_mean_end': rp[0].get('_rho_mean_end'),
                         'nmda_rho_mean_end': rn[0].get('_rho_mean_end'),
                         'spike_bytes_per_plastic_synapse': rp[0].get('bytes_per_plastic_synapse'),
                         'nmda_bytes_per_plastic_synapse': rn[0].get('bytes_per_plastic_synapse'),
                         'nmda_over_static': ln / ls, 'nmda_over_spike': ln / lp,
                         'spike_over_static': lp / ls}
        rows.append(('GB COBA nmda vs static', f'{ln:.2f} s', f'{ls:.2f} s (static)', f'{ln / ls:.2f}x', ''))
        rows.append(('GB COBA nmda vs spike', f'{ln:.2f} s', f'{lp:.2f} s (spike)', f'{ln / lp:.2f}x', ''))
    print(f"{'benchmark':28} {'mgsim':>14} {'peer':>18} {'ratio':>8} {'target':>8}")
    for r in rows:
        print(f'{r[0]:28} {r[1]:>14} {r[2]:>18} {r[3]:>8} {r[4]:>8}')
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, 'w') as f:
        json.dump(res, f, indent=2)
    print(f'written {a.json}')


if __name__ == '__main__':
    main()

# Brette et al. 2007 benchmark 1 (COBA, Vogels & Abbott 2005) in Brian2, with a seed argument.
# Same model, parameters, initial conditions and output line as ../shared/bench/brian2_coba.py
# (which is not modified); the only additions are seed(s) before the network is built, the seed
# in the printed line, and an optional --json FILE that appends one JSON object per line.
# usage: python3 brian2_coba_seeds.py [standalone|runtime] [seconds] [N] [seed] [threads] [--json FILE]
# note the argument order: seed comes before threads (brian2_coba.py has threads 4th).
import sys, time, json, os, datetime, platform
from brian2 import *
args = sys.argv[1:]
jsonfile = None
if '--json' in args:
    k = args.index('--json'); jsonfile = args[k + 1]; del args[k:k + 2]
mode = args[0] if len(args) > 0 else 'standalone'
T = float(args[1]) if len(args) > 1 else 1.0
N = int(args[2]) if len(args) > 2 else 4000
sd = int(args[3]) if len(args) > 3 else 1
threads = int(args[4]) if len(args) > 4 else 1
if mode == 'standalone':
    import tempfile
    set_device('cpp_standalone', directory=tempfile.mkdtemp(prefix='coba'))
    if threads > 1:
        prefs.devices.cpp_standalone.openmp_threads = threads
    # polite build on a shared machine (brian2_coba.py uses Brian2's default unbounded make -j)
    prefs.devices.cpp_standalone.extra_make_args_unix = [f'-j{max(threads, 1)}']
else:
    prefs.codegen.target = 'cython'
seed(sd)
defaultclock.dt = 0.1*ms
taum = 20*ms; taue = 5*ms; taui = 10*ms
Vt = -50*mV; Vr = -60*mV; El = -60*mV; Ee = 0*mV; Ei = -80*mV
eqs = '''
dv/dt  = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : 1
dgi/dt = -gi/taui : 1
'''
P = NeuronGroup(N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5*ms, method='exponential_euler')
P.v = 'Vr + rand() * (Vt - Vr)'
P.ge = '(randn() * 1.5 + 4) / 10'
P.gi = '(randn() * 12 + 20) / 10'
NE = int(0.8*N)
Ce = Synapses(P[:NE], P, on_pre='ge += 0.6')
Ci = Synapses(P[NE:], P, on_pre='gi += 6.7')
Ce.connect(p=0.02); Ci.connect(p=0.02)
M = SpikeMonitor(P)
t0 = time.time()
run(T*second, report=None)
t1 = time.time()
sim = getattr(device, "_last_run_time", None)
print(f"mode={mode} N={N} seed={sd} T={T}s synapses={len(Ce)+len(Ci)} spikes={M.num_spikes} rate={M.num_spikes/N/T:.2f}Hz wall_total={t1-t0:.2f}s sim_only={sim}")
if jsonfile:
    import brian2
    rec = dict(model='coba', mode=mode, method='exponential_euler', N=N, seed=sd, T_s=T,
               dt_ms=float(defaultclock.dt/ms), threads=threads, synapses=len(Ce) + len(Ci),
               spikes=int(M.num_spikes), rate_Hz=M.num_spikes/N/T, wall_total_s=t1 - t0,
               sim_only_s=sim,
               make_s=device.timers.get('compile', {}).get('make') if mode == 'standalone' else None,
               run_binary_s=device.timers.get('run_binary') if mode == 'standalone' else None,
               brian2_version=brian2.__version__, python=platform.python_version(),
               machine=platform.machine(), nproc=os.cpu_count(),
               date=datetime.datetime.now().astimezone().isoformat(timespec='seconds'))
    with open(jsonfile, 'a') as f:
        f.write(json.dumps(rec) + '\n')

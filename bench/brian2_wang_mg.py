# Brunel & Wang 2001 / Wang 2002 style E-I network with Mg2+-blocked NMDA (Jahr-Stevens), sparse
# (p = 0.2) version, in Brian2: the peer reference for mgsim's Mg-NMDA network benchmark.
# Conventions follow ../shared/bench/brian2_coba.py.
#
# usage: python3 brian2_wang_mg.py [standalone|runtime] [seconds] [mg_mM] [seed] [threads]
#                                  [--json FILE] [--method rk2|euler|rk4] [--build-dir DIR]
# defaults: standalone 2.0 s, 1.0 mM, seed 1, 1 thread, rk2.
# Prints one line:
#   mode=... mg=... seed=... T=...s synapses=... rate_E=...Hz rate_I=...Hz rate_E_late=...Hz
#   rate_I_late=...Hz wall_total=...s sim_only=...
# --json FILE appends the same record as one JSON object per line (JSON Lines).
# --bins W adds rate_E_bins_Hz / rate_I_bins_Hz (population rates in consecutive windows of W s)
#   to the printed line and the JSON record, to check whether the rates are stationary.
# --build-dir DIR (standalone only) builds in DIR instead of a fresh temporary folder, so that
#   make only recompiles the files whose generated source changed (Mg and the seed do change
#   some of them); the default is a fresh temporary folder, as in brian2_coba.py.
#
# Model (all numbers as specified for the mgsim benchmark):
#   NE = 1600, NI = 400; every pair of populations connected with p = 0.2, autapses allowed.
#   LIF: C dV/dt = -gL(V-EL) - gA V - gG (V - E_GABA) - gN B(V) V        (E_AMPA = E_NMDA = 0 mV)
#     E: C 0.5 nF, gL 25 nS, refractory 2 ms; I: C 0.2 nF, gL 20 nS, refractory 1 ms;
#     EL -70 mV, Vth -50 mV (spike when v > Vth), Vreset -55 mV, V clamped at reset while
#     refractory.
#   B(V) = 1 / (1 + [Mg]o/3.57 mM * exp(-0.062 V/mV)).
#   AMPA: dgA/dt = -gA/2 ms; GABA-A: dgG/dt = -gG/5 ms, E_GABA = -70 mV.
#   NMDA gating per presynaptic E neuron: ds/dt = -s/100 ms + 0.5/ms * x (1 - s),
#     dx/dt = -x/2 ms, x += 1 on each spike of that neuron.
#     gN of a postsynaptic neuron = sum over its E->post synapses of w * s_pre (Brian2 summed
#     variable). Because s depends only on the presynaptic spike train (no delays, all synapses
#     start at s = x = 0), keeping s per presynaptic neuron is exactly the per-synapse model of
#     Brian2's examples/frompapers/Brunel_Wang_2001.py, at a fraction of the cost.
#   External drive: 800 independent Poisson inputs at 3 Hz per neuron (PoissonInput on gA),
#     2.1 nS onto E, 1.62 nS onto I.
#   Recurrent increments (listed values / p): E->E AMPA 0.05/p nS, NMDA 0.165/p nS;
#     E->I AMPA 0.04/p nS, NMDA 0.13/p nS; I->E GABA 1.3/p nS; I->I GABA 1.0/p nS.
#     AMPA and GABA: on_pre g += w, no delay.
#   dt = 0.05 ms; initial V = EL, every conductance, s and x = 0.
#
# Integration method: 'rk2' (explicit midpoint) by default. The Mg block makes dV/dt nonlinear
# in V, so Brian2's exponential Euler does not apply (it needs equations linear in the
# integrated variable), and 'linear'/'exact' cannot be used for the whole group either. Of the
# two allowed explicit methods, rk2 is second-order and therefore the more accurate at
# dt = 0.05 ms (e.g. per-step decay factor of the 2 ms AMPA conductance: exact 0.975310,
# rk2 0.975313, euler 0.975000). Its cost is two evaluations of the right-hand side per step
# instead of one, but the neuron state update is a small part of the run time here (2000
# neurons vs. ~640k synapses feeding the NMDA summed variable every step), so the extra cost is
# a few per cent of sim_only. --method euler / rk4 are available for sensitivity checks.
import sys, time, json, os, datetime, platform
from brian2 import *

args = sys.argv[1:]
opts = {}
for flag in ('--json', '--method', '--build-dir', '--bins'):
    if flag in args:
        k = args.index(flag)
        opts[flag] = args[k + 1]
        del args[k:k + 2]
mode = args[0] if len(args) > 0 else 'standalone'
T = float(args[1]) if len(args) > 1 else 2.0
mg = float(args[2]) if len(args) > 2 else 1.0
sd = int(args[3]) if len(args) > 3 else 1
threads = int(args[4]) if len(args) > 4 else 1
method = opts.get('--method', 'rk2')
T_late = 0.5  # s; rates over t > T_late are reported separately (initial transient from V = EL)

if mode == 'standalone':
    import tempfile
    bdir = opts.get('--build-dir') or tempfile.mkdtemp(prefix='wangmg')
    set_device('cpp_standalone', directory=bdir)
    if threads > 1:
        prefs.devices.cpp_standalone.openmp_threads = threads
    # keep the build polite on a shared machine: make -j<threads> instead of unbounded -j
    prefs.devices.cpp_standalone.extra_make_args_unix = [f'-j{max(threads, 1)}']
elif mode == 'runtime':
    prefs.codegen.target = 'cython'
else:
    sys.exit(f'unknown mode {mode!r}: use standalone or runtime')
seed(sd)
defaultclock.dt = 0.05*ms

NE, NI, p = 1600, 400, 0.2
EL = -70*mV; Vth = -50*mV; Vreset = -55*mV
E_AMPA = 0*mV; E_GABA = -70*mV; E_NMDA = 0*mV
tau_AMPA = 2*ms; tau_GABA = 5*ms
tau_rise = 2*ms; tau_decay = 100*ms; alpha = 0.5/ms
Mg = mg  # mM, used as a plain number in B(V)
C_ext, nu_ext = 800, 3*Hz
w_ext_E = 2.1*nS; w_ext_I = 1.62*nS
w_AMPA_EE = 0.05*nS/p; w_NMDA_EE = 0.165*nS/p
w_AMPA_EI = 0.04*nS/p; w_NMDA_EI = 0.13*nS/p
w_GABA_IE = 1.3*nS/p; w_GABA_II = 1.0*nS/p

Cm_E = 0.5*nF; gL_E = 25*nS; Cm_I = 0.2*nF; gL_I = 20*nS
eqs_common = '''
dv/dt = (-gL_X*(v - EL) - gA*(v - E_AMPA) - gG*(v - E_GABA)
         - gN/(1 + Mg/3.57*exp(-0.062*v/mV))*(v - E_NMDA))/Cm_X : volt (unless refractory)
dgA/dt = -gA/tau_AMPA : siemens
dgG/dt = -gG/tau_GABA : siemens
gN : siemens
'''
eqs_E = eqs_common.replace('_X', '_E') + '''
ds/dt = -s/tau_decay + alpha*x*(1 - s) : 1
dx/dt = -x/tau_rise : 1
'''
eqs_I = eqs_common.replace('_X', '_I')
PE = NeuronGroup(NE, eqs_E, threshold='v > Vth', reset='v = Vreset; x += 1',
                 refractory=2*ms, method=method, name='PE')
PI = NeuronGroup(NI, eqs_I, threshold='v > Vth', reset='v = Vreset',
                 refractory=1*ms, method=method, name='PI')
PE.v = EL; PI.v = EL  # conductances, s and x start at 0

# E -> E and E -> I: AMPA on spike, NMDA as a summed variable of the presynaptic gating s.
S_EE = Synapses(PE, PE, 'gN_post = w_NMDA_EE*s_pre : siemens (summed)',
                on_pre='gA_post += w_AMPA_EE', name='S_EE')
S_EI = Synapses(PE, PI, 'gN_post = w_NMDA_EI*s_pre : siemens (summed)',
                on_pre='gA_post += w_AMPA_EI', name='S_EI')
S_IE = Synapses(PI, PE, on_pre='gG_post += w_GABA_IE', name='S_IE')
S_II = Synapses(PI, PI, on_pre='gG_post += w_GABA_II', name='S_II')
for S in (S_EE, S_EI, S_IE, S_II):
    S.connect(p=p)

ext_E = PoissonInput(PE, 'gA', C_ext, nu_ext, weight=w_ext_E)
ext_I = PoissonInput(PI, 'gA', C_ext, nu_ext, weight=w_ext_I)

ME = SpikeMonitor(PE); MI = SpikeMonitor(PI)

t0 = time.time()
run(T*second, report=None)
t1 = time.time()
sim = getattr(device, '_last_run_time', None)
nsyn = len(S_EE) + len(S_EI) + len(S_IE) + len(S_II)
tE = ME.t[:]/second; tI = MI.t[:]/second
rE = len(tE)/NE/T; rI = len(tI)/NI/T
if T > T_late:
    rEl = float(np.sum(tE > T_late))/NE/(T - T_late)
    rIl = float(np.sum(tI > T_late))/NI/(T - T_late)
else:
    rEl = rIl = None  # no late window (JSON null, printed as nan)
bins = None
if '--bins' in opts:
    W = float(opts['--bins']); nb = int(round(T/W))
    edges = np.arange(nb + 1)*W
    bins = dict(width_s=W,
                E=[round(float(c)/NE/W, 4) for c in np.histogram(tE, edges)[0]],
                I=[round(float(c)/NI/W, 4) for c in np.histogram(tI, edges)[0]])
make_s = run_binary_s = None
if mode == 'standalone':
    make_s = device.timers.get('compile', {}).get('make')
    run_binary_s = device.timers.get('run_binary')
print(f"mode={mode} mg={mg} seed={sd} T={T}s synapses={nsyn} rate_E={rE:.3f}Hz rate_I={rI:.3f}Hz "
      f"rate_E_late={rEl if rEl is not None else float('nan'):.3f}Hz "
      f"rate_I_late={rIl if rIl is not None else float('nan'):.3f}Hz wall_total={t1-t0:.2f}s sim_only={sim}")
if bins:
    print(f"bins_width={bins['width_s']}s rate_E_bins_Hz={bins['E']} rate_I_bins_Hz={bins['I']}")
if '--json' in opts:
    import brian2
    rec = dict(model='wang_mg', mode=mode, method=method, mg_mM=mg, seed=sd, T_s=T,
               dt_ms=float(defaultclock.dt/ms), threads=threads, n_E=NE, n_I=NI, p=p,
               synapses=nsyn, syn_EE=len(S_EE), syn_EI=len(S_EI), syn_IE=len(S_IE),
               syn_II=len(S_II), spikes_E=len(tE), spikes_I=len(tI),
               rate_E_Hz=rE, rate_I_Hz=rI, late_from_s=T_late, rate_E_late_Hz=rEl,
               rate_I_late_Hz=rIl, wall_total_s=t1 - t0, sim_only_s=sim, make_s=make_s,
               run_binary_s=run_binary_s, bins=bins, brian2_version=brian2.__version__,
               python=platform.python_version(), machine=platform.machine(),
               nproc=os.cpu_count(), date=datetime.datetime.now().astimezone().isoformat(timespec='seconds'))
    with open(opts['--json'], 'a') as f:
        f.write(json.dumps(rec) + '\n')

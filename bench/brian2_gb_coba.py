#!/usr/bin/python3
"""COBA with plastic E->E synapses (Graupner & Brunel 2012, spike-time calcium) in Brian2: the
peer of mgsim's examples/net/coba_plastic.yaml for the plasticity benchmark (bench/bench.py
--only gbcoba).

usage: /usr/bin/python3 bench/brian2_gb_coba.py [standalone|runtime] [seconds] [N] [seed]
                                               [--style event|clock] [--json FILE] [--build-dir DIR]

The network is that of ../shared/bench/brian2_coba.py (Brette et al. 2007 benchmark 1: 4000 LIF
neurons, 80 % excitatory, p = 0.02, conductance jumps of 0.6 and 6.7 in units of gL, 5 ms
refractory period, dt 0.1 ms), with the E->E synapses made plastic:

  Graupner M, Brunel N (2012) PNAS 109:3991 (noise as in the PNAS correction), DP set of Fig. 2:
  tauCa 20 ms, C_pre 1, C_post 2, D 13.7 ms, theta_d 1, theta_p 1.3, gamma_d 200,
  gamma_p 321.808, tau 150 s, rho* 0.5, sigma 2.8284 (the values of Brian2's own
  examples/frompapers/Graupner_Brunel_2012.py).
  Weight of an E->E synapse: w = 0.2 + 0.8 clip(rho, 0, 1) in units of gL (2 to 10 nS, so that
  w1/w0 = 5 and the mean initial weight is COBA's 0.6 with rho drawn uniform in [0, 1]).

Brian2's own Graupner-Brunel example integrates c and rho of every synapse at every step
(clock-driven, Heun): --style clock writes the E->E synapses exactly that way. The default,
--style event, is the fair peer of mgsim's algorithm: the synapse equations are event-driven: c and rho are
updated only on the synapse's events (pathway 'pre_ca', the presynaptic calcium jump D after the
spike; on_post, the postsynaptic spike) with the analytic solution in between: c decays as
exp(-(t - tl)/tauCa), so it stays above theta for tauCa ln(c0/theta); on each of the (at most
three) pieces of constant Heaviside terms rho takes one exponential Rosenbrock-Euler step, exact
for the linear part of the drift (rho1 = rho0 + h phi1(hJ) f(rho0), phi1(z) = (e^z - 1)/z,
J = f'(rho0)), plus, above theta_d, a Gaussian increment with the variance of the noise filtered
by the same linear drift (sigma^2 (Theta_p + Theta_d)/tau h phi1(2hJ)). This is mgsim's update
(src/neuro/net_plast.c) except that mgsim splits pieces longer than 0.05 tau/(1 + gamma) into
equal steps, which in this network happens only in silent gaps of seconds.
Transmission (pathway 'pre', zero delay: acts from the next step, as mgsim's 0.1 ms) adds the
current weight, from rho as of the synapse's last event.

Prints one line: mode N T synapses plastic spikes rate rate_E rho_mean_0 rho_mean_T wall_total
sim_only (Brian2's own timing of the simulation loop, device._last_run_time).
"""
import argparse, json, os, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument('mode', nargs='?', default='standalone', choices=['standalone', 'runtime'])
ap.add_argument('seconds', nargs='?', type=float, default=1.0)
ap.add_argument('N', nargs='?', type=int, default=4000)
ap.add_argument('seed', nargs='?', type=int, default=1)
ap.add_argument('--json', default=None)
ap.add_argument('--build-dir', default=None)
ap.add_argument('--style', default='event', choices=['event', 'clock'],
                help='event: event-driven analytic updates (default, as mgsim); clock: c and rho '
                     'integrated every step as in Brian2\'s own Graupner_Brunel_2012.py (heun)')
a = ap.parse_args()

from brian2 import *  # noqa: E402,F401

if a.mode == 'standalone':
    set_device('cpp_standalone', directory=a.build_dir or tempfile.mkdtemp(prefix='gbcoba'))
    prefs.devices.cpp_standalone.extra_make_args_unix = ['-j1']  # gentle on shared machines
else:
    prefs.codegen.target = 'cython'
seed(a.seed)
defaultclock.dt = 0.1 * ms
N, T = a.N, a.seconds
taum = 20 * ms; taue = 5 * ms; taui = 10 * ms
Vt = -50 * mV; Vr = -60 * mV; El = -60 * mV; Ee = 0 * mV; Ei = -80 * mV
eqs = '''
dv/dt  = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : 1
dgi/dt = -gi/taui : 1
'''
P = NeuronGroup(N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms,
                method='exponential_euler')
P.v = 'Vr + rand() * (Vt - Vr)'
P.ge = '(randn() * 1.5 + 4) / 10'
P.gi = '(randn() * 12 + 20) / 10'
NE = int(0.8 * N)

# Graupner & Brunel 2012, DP set
tauCa = 20 * ms; Cpre = 1.0; Cpost = 2.0; D = 13.7 * ms
theta_d = 1.0; theta_p = 1.3; gamma_d = 200.0; gamma_p = 321.808
tau_rho = 150 * second; rho_star = 0.5; sigma = 2.8284
w_lo = 0.2; w_span = 0.8  # units of gL: 2 + 8 rho nS


def piece(k, hexpr, gp, gd, ntheta):
    """One exponential Rosenbrock-Euler step of rho over hexpr with constant drive."""
    s = f'''
h{k} = {hexpr}
F{k} = (-rho*(1-rho)*(rho_star-rho) + {gp}*(1-rho) - {gd}*rho)/tau_rho
z{k} = -h{k}*((rho_star - 2*rho*(1+rho_star) + 3*rho**2) + {gp} + {gd})/tau_rho
sm{k} = int(abs(z{k}) < 1e-6)
p{k} = sm{k}*(1 + z{k}/2) + (1 - sm{k})*(exp(z{k}) - 1)/(z{k} + sm{k})
'''
    if ntheta:
        s += (f'rho = rho + h{k}*p{k}*F{k} + sqrt({ntheta}*sigma**2/tau_rho*h{k}*p{k}'
              f'*(1 + z{k}*p{k}/2))*randn()\n')
    else:
        s += f'rho = rho + h{k}*p{k}*F{k}\n'
    return s


update = '''
L = t - tl
lc = log(clip(c, 1e-300, 1e300))
t_d = clip(tauCa*(lc - log(theta_d)), 0*ms, L)
t_p = clip(tauCa*(lc - log(theta_p)), 0*ms, L)
''' + piece(1, 't_p', 'gamma_p', 'gamma_d', 2) + piece(2, 't_d - t_p', '0', 'gamma_d', 1) + \
    piece(3, 'L - t_d', '0', '0', 0) + '''
c = c*exp(-L/tauCa)
tl = t
'''

if a.style == 'event':
    Cee = Synapses(P[:NE], P[:NE], model='''
rho : 1
c : 1
tl : second
''', on_pre={'pre': 'ge_post += w_lo + clip(rho, 0, 1)*w_span',
                 'pre_ca': update + 'c += Cpre'},
        on_post=update + 'c += Cpost', delay={'pre': 0 * ms, 'pre_ca': D}, name='Cee')
else:
    # Brian2's examples/frompapers/Graupner_Brunel_2012.py, equations as written there
    Cee = Synapses(P[:NE], P[:NE], model='''
drho/dt = (-rho*(1-rho)*(rho_star-rho)
           + gamma_p*(1-rho)*int((c - theta_p) > 0)
           - gamma_d*rho*int((c-theta_d) > 0)
           + sigma*sqrt(tau_rho)*sqrt(int((c-theta_d) > 0) + int((c-theta_p) > 0))*xi
           ) / tau_rho : 1 (clock-driven)
dc/dt = -c/tauCa : 1 (clock-driven)
''', on_pre={'pre': 'ge_post += w_lo + clip(rho, 0, 1)*w_span', 'pre_ca': 'c += Cpre'},
        on_post='c += Cpost', delay={'pre': 0 * ms, 'pre_ca': D}, method='heun', name='Cee')
Cei = Synapses(P[:NE], P[NE:], on_pre='ge += 0.6')
Ci = Synapses(P[NE:], P, on_pre='gi += 6.7')
Cee.connect(p=0.02); Cei.connect(p=0.02); Ci.connect(p=0.02)
Cee.rho = 'rand()'
M = SpikeMonitor(P)
ME = SpikeMonitor(P[:NE])
t0 = time.time()
run(T * second, report=None)
t1 = time.time()
sim = getattr(device, '_last_run_time', None)
rho_end = np.asarray(Cee.rho[:])
nsyn = len(Cee) + len(Cei) + len(Ci)
rate = M.num_spikes / N / T
rate_E = ME.num_spikes / NE / T
print(f'mode={a.mode} style={a.style} N={N} T={T}s synapses={nsyn} plastic={len(Cee)} spikes={M.num_spikes} '
      f'rate={rate:.2f}Hz rate_E={rate_E:.2f}Hz rho_mean_T={rho_end.mean():.4f} '
      f'rho_up_T={np.mean(rho_end > 0.5):.4f} wall_total={t1 - t0:.2f}s sim_only={sim}')
if a.json:
    rec = {'script': 'brian2_gb_coba.py', 'mode': a.mode, 'style': a.style, 'N': N, 'T_s': T, 'seed': a.seed,
           'synapses': int(nsyn), 'plastic': int(len(Cee)), 'spikes': int(M.num_spikes),
           'rate_hz': rate, 'rate_E_hz': rate_E, 'rho_mean_T': float(rho_end.mean()),
           'rho_up_T': float(np.mean(rho_end > 0.5)), 'wall_total_s': t1 - t0, 'sim_only_s': sim,
           'date': time.strftime('%Y-%m-%d %H:%M:%S')}
    with open(a.json, 'a') as f:
        f.write(json.dumps(rec) + '\n')

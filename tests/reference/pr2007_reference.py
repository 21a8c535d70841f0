#!/usr/bin/python3
"""Independent reference numbers for tests/test_phillips_robinson.c.

Phillips & Robinson 2007 (J Biol Rhythms 22:167) sleep-wake model, integrated with
forward Euler (numpy only; a different method from the C module's RK4) so that the C
code can be checked against a separate implementation of the same equations:

    tau_v dVv/dt = -Vv + nu_vm Q(Vm) + nu_vc C(t) + nu_vh H
    tau_m dVm/dt = -Vm + nu_mv Q(Vv) + nu_ma Q_a
    chi   dH/dt  = -H + mu Q(Vm)
    Q(V) = Qmax / (1 + exp(-(V - theta)/sigma)),   C(t) = c0 + cos(2 pi (t - phi)/24 h)

Awake while Vm > Vv; a switch is placed by linear interpolation of Vm - Vv inside its
step. Start (Vv, Vm, H) = (-10 mV, 1 mV, 13 nM) at t = 0, phi = 16 h, as in the C module.

Variants (all vectorised into one integration):
  nominal   2007 set as encoded in BIOMD0000000917 / CellML phillips_2007
            (c0 = 1) and as listed in PabRod/sleep-wake genPars.m
  free      same, nu_vc = 0 (no circadian drive): free-running period
  half      PabRod/sleep-wake form C = (1 + cos)/2, i.e. nu_vc/2 with c0 = 1
  pr2008    Phillips & Robinson 2008 set (nu_vm -2.1, nu_mv -1.8, nu_ma Q_a 1.3,
            nu_vc -2.9, nu_vh 1.0, chi 45 h, mu 4.4 nM s; c0 = 4.5 as in
            LockyWebb/Phillips2007SleepStan and PabRod's Robinson et al. 2011 script)
It also prints the sleep length of the nominal set under three scoring rules, the fold points of the VLPO/MA flip-flop (the D_v values where the wake and
sleep branches end), computed from the equilibrium curve, and repeats the free-running
case in PabRod's hour units (Qmax = 3.6e5 h^-1, mu = 1e-3 nM h) to show that his
parameters give the same period.

Usage: /usr/bin/python3 tests/reference/pr2007_reference.py [dt_s ...]   (default 1 0.5)
Runs about 1 min on one core.
"""
import sys

import numpy as np

DAYS = 8.0
SETS = {
    #          nu_vm  nu_mv  maQa  nu_vc  nu_vh  chi   mu   c0
    "nominal": (-1.9, -1.9, 1.0, -6.3, 0.19, 10.8, 3.6, 1.0),
    "free": (-1.9, -1.9, 1.0, 0.0, 0.19, 10.8, 3.6, 1.0),
    "half": (-1.9, -1.9, 1.0, -3.15, 0.19, 10.8, 3.6, 1.0),
    "pr2008": (-2.1, -1.8, 1.3, -2.9, 1.0, 45.0, 4.4, 4.5),
}
QMAX, THETA, SIGMA, TAU, PHI = 100.0, 10.0, 3.0, 10.0, 16.0


def q(v, qmax=QMAX):
    return qmax / (1.0 + np.exp(-(v - THETA) / SIGMA))


def integrate(dt):
    names = list(SETS)
    par = np.array([SETS[k] for k in names]).T
    nvm, nmv, maqa, nvc, nvh, chi, mu, c0 = par
    n = len(names)
    vv, vm, h = np.full(n, -10.0), np.full(n, 1.0), np.full(n, 13.0)
    awake = vm > vv
    events = [[] for _ in range(n)]  # (time h, 'on'|'off', sleep drive D_v mV)
    steps = int(round(DAYS * 86400.0 / dt))
    w = 2.0 * np.pi / 24.0
    for k in range(steps):
        t = k * dt / 3600.0
        c = c0 + np.cos(w * (t - PHI))
        qv, qm = q(vv), q(vm)
        d0 = vm - vv
        dv0 = nvc * c + nvh * h
        vv_n = vv + dt * (-vv + nvm * qm + nvc * c + nvh * h) / TAU
        vm_n = vm + dt * (-vm + nmv * qv + maqa) / TAU
        h = h + dt * (-h + mu * qm) / (chi * 3600.0)
        vv, vm = vv_n, vm_n
        d1 = vm - vv
        now = d1 > 0.0
        for i in np.nonzero(now != awake)[0]:
            f = d0[i] / (d0[i] - d1[i])
            ts = t + f * dt / 3600.0
            dv1 = nvc[i] * (c0[i] + np.cos(w * (t + dt / 3600.0 - PHI))) + nvh[i] * h[i]
            events[i].append((ts, "off" if now[i] else "on", dv0[i] + f * (dv1 - dv0[i])))
        awake = now
    return names, events


def episodes(ev):
    eps, on = [], None
    for t, kind, d in ev:
        if kind == "on":
            on, d_on = t, d
        elif on is not None:
            eps.append((on, t, d_on, d))
            on = None
    return eps


def folds(nvm, nmv, maqa):
    """D_v at the two saddle-node points of the fast subsystem (dD/dVv = 0 on the
    equilibrium curve Vm = nmv Q(Vv) + maqa, D = Vv - nvm Q(Vm))."""
    vv = np.linspace(-40.0, 25.0, 2_000_001)
    vm = nmv * q(vv) + maqa
    d = vv - nvm * q(vm)
    dd = np.diff(d)
    idx = np.nonzero(np.sign(dd[1:]) != np.sign(dd[:-1]))[0] + 1
    return sorted(d[idx])


def free_running_pabrod_units(dt_s):
    """nu_vc = 0 in PabRod/sleep-wake's hour units (genPars.m 'philrob2007')."""
    qmax, mu, chi, tau, nu = 100.0 * 3600.0, 1e-3, 10.8, 10.0 / 3600.0, 1.9 / 3600.0
    dt = dt_s / 3600.0
    vv, vm, h, awake, ons = -10.0, 1.0, 13.0, True, []
    for k in range(int(round(DAYS * 24.0 / dt))):
        qv, qm = q(vv, qmax), q(vm, qmax)
        vv, vm, h = (
            vv + dt * (-vv - nu * qm + 0.19 * h) / tau,
            vm + dt * (-vm - nu * qv + 1.0) / tau,
            h + dt * (-h + mu * qm) / chi,
        )
        now = vm > vv
        if awake and not now:
            ons.append((k + 1) * dt)
        awake = now
    ons = [x for x in ons if x > 120.0]
    return (ons[-1] - ons[0]) / (len(ons) - 1)


def scoring_variants(dt_s=1.0):
    """Nominal set: sleep length under three scoring rules (awake while Vm > Vv, the rule used
    here and in LockyWebb/Phillips2007SleepStan; while Vm > -2 mV, the V_th of Postnova et al.
    2018; while dH/dt > 0, the rule of PabRod/sleepR)."""
    nvm, nmv, maqa, nvc, nvh, chi, mu, c0 = SETS["nominal"]
    vv, vm, h = -10.0, 1.0, 13.0
    dt, w = dt_s / 3600.0, 2.0 * np.pi / 24.0
    rules = {"Vm > Vv": [], "Vm > -2 mV": [], "dH/dt > 0": []}
    state = {k: True for k in rules}
    start = {k: None for k in rules}
    for k in range(int(round(6 * 24.0 / dt))):
        t = k * dt
        c = c0 + np.cos(w * (t - PHI))
        qv, qm = q(vv), q(vm)
        vv, vm, h = (
            vv + dt_s * (-vv + nvm * qm + nvc * c + nvh * h) / TAU,
            vm + dt_s * (-vm + nmv * qv + maqa) / TAU,
            h + dt_s * (-h + mu * qm) / (chi * 3600.0),
        )
        now = {"Vm > Vv": vm > vv, "Vm > -2 mV": vm > -2.0, "dH/dt > 0": mu * q(vm) > h}
        for r in rules:
            if t > 72.0 and state[r] and not now[r]:
                start[r] = t
            elif t > 72.0 and now[r] and not state[r] and start[r] is not None:
                rules[r].append(t - start[r])
            state[r] = now[r]
    return {r: v[-1] for r, v in rules.items()}


def main():
    dts = [float(a) for a in sys.argv[1:]] or [1.0, 0.5]
    for name in ("nominal", "pr2008"):
        lo, hi = folds(*SETS[name][:3])
        print(f"{name}: flip-flop folds D_v = {lo:.4f} mV (sleep->wake), {hi:.4f} mV (wake->sleep)")
    for dt in dts:
        names, events = integrate(dt)
        print(f"--- forward Euler, dt = {dt} s, {DAYS:g} days")
        for name, ev in zip(names, events):
            eps = [e for e in episodes(ev) if e[0] > 96.0]
            on, off, d_on, d_off = eps[-1]
            per = (eps[-1][0] - eps[0][0]) / (len(eps) - 1) if len(eps) > 1 else float("nan")
            print(
                f"{name:8s} last sleep {on:.4f}-{off:.4f} h (clock {on % 24:.4f}-{off % 24:.4f}; "
                f"after C max {(on - PHI) % 24:.4f}-{(off - PHI) % 24:.4f}) "
                f"length {off - on:.4f} h, onset-to-onset {per:.4f} h, {len(eps)} episodes after 96 h; "
                f"D_v at onset {d_on:.4f} mV, at waking {d_off:.4f} mV"
            )
    for r, v in scoring_variants().items():
        print(f"nominal, awake while {r}: sleep {v:.4f} h")
    print(f"free running in PabRod's hour units (dt 1 s): period {free_running_pabrod_units(1.0):.4f} h")


if __name__ == "__main__":
    main()

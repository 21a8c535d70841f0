/* A minimal libmgsim program: one LIF neuron with a constant NMDA conductance,
 * driven by a slow current ramp, at two [Mg]o values; prints the unblocked
 * fraction B(V) the engine uses and the membrane potential reached.
 *
 * Build against an installed mgsim:
 *   cc nmda_block.c $(pkg-config --cflags --libs mgsim) -o nmda_block
 * or in CMake: find_package(mgsim) and target_link_libraries(app mgsim::mgsim).
 */
#include <math.h>
#include <stdio.h>

#include <mgsim/mgsim.h>

int main(void) {
    if (mg_version_number() != MGSIM_VERSION_NUMBER)
        fprintf(stderr, "warning: headers %s, library %s\n", MGSIM_VERSION_STRING,
                mg_version_string());
    mg_context *ctx = mg_context_create();
    if (!ctx)
        return 1;
    for (int k = 0; k < 2; k++) {
        double mg = k == 0 ? 1.0 : 2.0;
        mg_net_spec spec;
        mg_net_spec_defaults(&spec);
        spec.duration_ms = 200.0;
        spec.mg_mM = mg;
        mg_pop_spec pop;
        mg_pop_spec_defaults(&pop, "N", MG_NEURON_LIF, 1);
        pop.Vth_mV = 1000.0; /* never spikes: we look at the subthreshold potential */
        pop.receptor[MG_RECEPTOR_NMDA].tau_rise_ms = 0.0;
        pop.receptor[MG_RECEPTOR_NMDA].tau_decay_ms = 1e12; /* a constant conductance */
        pop.g_init_nS[MG_RECEPTOR_NMDA] = mg_dist_const(5.0);
        mg_input_spec ramp = {0};
        snprintf(ramp.name, sizeof ramp.name, "ramp");
        ramp.kind = MG_INPUT_CURRENT_RAMP;
        ramp.start_ms = 0.0;
        ramp.stop_ms = 200.0;
        ramp.amp_pA = 0.0;
        ramp.amp_end_pA = 400.0;
        spec.pops = &pop;
        spec.n_pops = 1;
        spec.inputs = &ramp;
        spec.n_inputs = 1;
        mg_net *net = NULL;
        if (mg_net_create(ctx, &spec, &net) != MG_OK || mg_net_run(net, 200.0, NULL) != MG_OK) {
            fprintf(stderr, "error: %s\n", mg_error_message(ctx));
            mg_net_destroy(&net);
            mg_context_destroy(&ctx);
            return 1;
        }
        double v = mg_net_get_v(net, 0, 0);
        printf("[Mg]o = %.1f mM: V = %.2f mV after the ramp, B(V) = %.4f\n", mg, v,
               mg_net_nmda_block(v, mg, 3.57, 0.062));
        mg_net_destroy(&net);
    }
    mg_context_destroy(&ctx);
    return 0;
}

/* Binary checkpoints of a coupled run (couple.h): the completed days and the state to go on.
 *
 * Layout: magic "MGSIMCK1", the version string (32 bytes, NUL-padded), the scenario hash,
 * then the sizes (days_total, n_days, n_samples, probes_total, n_probes, epochs_per_night),
 * the scalars, and the arrays as raw structs. Raw doubles make it exact and fast but tie it
 * to one build and machine kind, which is all --resume needs. */
#include <stdlib.h>
#include <string.h>

#include "mgsim/couple.h"

#define MAGIC "MGSIMCK1"

typedef struct {
    char magic[8];
    char version[32];
    uint64_t hash;
    uint64_t days_total, n_days, n_samples, probes_total, n_probes, epochs;
    uint64_t struct_sizes[4]; /* sample, day, probe, kin state: a layout check */
} header;

typedef struct {
    double set_point_flux, set_point_mg_mM;
    double intake_mg, faecal_mg, urine_mg, sweat_mg, stores_start_mg, stores_end_mg;
    double balance_error_mg;
    mg_kin_state end_kin;
    mg_hpa_state end_hpa;
    double end_scale, end_serum_mM;
} scalars;

static void fill_header(header *h, const mg_couple_result *r, uint64_t hash) {
    memset(h, 0, sizeof *h);
    memcpy(h->magic, MAGIC, 8);
    snprintf(h->version, sizeof h->version, "%s", mg_version_string());
    h->hash = hash;
    h->days_total = r->days_total;
    h->n_days = r->n_days;
    h->n_samples = r->n_samples;
    h->probes_total = r->probes_total;
    h->n_probes = r->n_probes;
    h->epochs = r->epochs_per_night;
    h->struct_sizes[0] = sizeof(mg_couple_sample);
    h->struct_sizes[1] = sizeof(mg_couple_day);
    h->struct_sizes[2] = sizeof(mg_couple_probe);
    h->struct_sizes[3] = sizeof(mg_kin_state);
}

mg_status mg_couple_checkpoint_write(mg_context *ctx, const mg_couple_result *r,
                                     uint64_t scenario_hash, FILE *f) {
    header h;
    fill_header(&h, r, scenario_hash);
    scalars sc = {r->set_point_flux,   r->set_point_mg_mM, r->intake_mg,       r->faecal_mg,
                  r->urine_mg,         r->sweat_mg,        r->stores_start_mg, r->stores_end_mg,
                  r->balance_error_mg, r->end_kin,         r->end_hpa,         r->end_scale,
                  r->end_serum_mM};
    int ok = fwrite(&h, sizeof h, 1, f) == 1 && fwrite(&sc, sizeof sc, 1, f) == 1;
    ok = ok && fwrite(r->samples, sizeof *r->samples, r->n_samples, f) == r->n_samples;
    ok = ok && fwrite(r->days, sizeof *r->days, r->n_days, f) == r->n_days;
    ok = ok && fwrite(r->probes, sizeof *r->probes, r->n_probes, f) == r->n_probes;
    size_t nh = r->hypnogram ? r->n_days * r->epochs_per_night : 0;
    ok = ok && fwrite(r->hypnogram ? (const void *)r->hypnogram : (const void *)"", 1, nh, f) == nh;
    if (!ok || ferror(f))
        return mg_error_raise(ctx, MG_ERR_IO, "cannot write the checkpoint");
    return MG_OK;
}

mg_status mg_couple_checkpoint_read(mg_context *ctx, FILE *f, const char *source,
                                    const mg_couple_spec *spec, uint64_t scenario_hash,
                                    mg_couple_result *out) {
    memset(out, 0, sizeof *out);
    header h, want;
    scalars sc;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, MAGIC, 8) != 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s: not an mgsim run checkpoint", source);
    mg_couple_result probe;
    memset(&probe, 0, sizeof probe);
    fill_header(&want, &probe, scenario_hash);
    h.version[sizeof h.version - 1] = '\0';
    if (strcmp(h.version, want.version) != 0 ||
        memcmp(h.struct_sizes, want.struct_sizes, sizeof want.struct_sizes) != 0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s: written by mgsim %s (or another build); resume with the same "
                              "build, or run again from the start",
                              source, h.version);
    if (h.hash != scenario_hash)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s: written for another scenario (or other --set values); resume "
                              "with the same scenario and options",
                              source);
    uint32_t D = spec->days;
    size_t epochs = spec->sleep_on ? (size_t)(spec->sched.time_in_bed_h * 120.0 + 0.5) : 0;
    if (h.days_total != D || h.n_days > D || h.epochs != epochs ||
        h.n_samples != (h.n_days ? 24 * h.n_days + 1 : 0) || h.n_probes > h.probes_total)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s: does not fit the scenario (%llu days)", source,
                              (unsigned long long)h.days_total);
    if (fread(&sc, sizeof sc, 1, f) != 1)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s: truncated", source);
    out->samples = calloc(24 * (size_t)D + 1, sizeof *out->samples);
    out->days = calloc(D, sizeof *out->days);
    out->probes = calloc(h.probes_total ? h.probes_total : 1, sizeof *out->probes);
    if (epochs)
        out->hypnogram = calloc((size_t)D * epochs, 1);
    if (!out->samples || !out->days || !out->probes || (epochs && !out->hypnogram)) {
        mg_couple_result_free(out);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    size_t nh = epochs * h.n_days;
    int ok = fread(out->samples, sizeof *out->samples, h.n_samples, f) == h.n_samples;
    ok = ok && fread(out->days, sizeof *out->days, h.n_days, f) == h.n_days;
    ok = ok && fread(out->probes, sizeof *out->probes, h.n_probes, f) == h.n_probes;
    ok = ok && (nh == 0 || fread(out->hypnogram, 1, nh, f) == nh);
    if (!ok) {
        mg_couple_result_free(out);
        return mg_error_raise(ctx, MG_ERR_DATA, "%s: truncated", source);
    }
    out->n_samples = h.n_samples;
    out->n_days = h.n_days;
    out->n_probes = h.n_probes;
    out->probes_total = h.probes_total;
    out->days_total = D;
    out->epochs_per_night = epochs;
    out->set_point_flux = sc.set_point_flux;
    out->set_point_mg_mM = sc.set_point_mg_mM;
    out->intake_mg = sc.intake_mg;
    out->faecal_mg = sc.faecal_mg;
    out->urine_mg = sc.urine_mg;
    out->sweat_mg = sc.sweat_mg;
    out->stores_start_mg = sc.stores_start_mg;
    out->stores_end_mg = sc.stores_end_mg;
    out->balance_error_mg = sc.balance_error_mg;
    out->end_kin = sc.end_kin;
    out->end_hpa = sc.end_hpa;
    out->end_scale = sc.end_scale;
    out->end_serum_mM = sc.end_serum_mM;
    return MG_OK;
}

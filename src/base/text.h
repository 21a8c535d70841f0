/* Small text helpers shared by the loaders. Not installed.
 *
 * mg_text_edit_distance is the one edit distance behind every "did you mean"
 * suggestion (unknown keys, foods, salt forms, protocols).
 */
#ifndef MGSIM_BASE_TEXT_H
#define MGSIM_BASE_TEXT_H

#include <stddef.h>

/* Levenshtein distance between a and b, ignoring ASCII case. Strings longer
 * than 255 bytes are compared on their first 255. Never fails. */
size_t mg_text_edit_distance(const char *a, const char *b);

/* Indices of the (up to) k candidates closest to s by mg_text_edit_distance,
 * nearest first, ties in candidate order, written to out[0..]; only
 * candidates within max_dist count (SIZE_MAX: all). Returns how many were
 * written (k is capped at 16). cands[i] may be NULL (skipped). */
size_t mg_text_closest(const char *s, const char *const *cands, size_t n, size_t k, size_t max_dist,
                       size_t *out);

#endif /* MGSIM_BASE_TEXT_H */

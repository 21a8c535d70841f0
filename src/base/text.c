/* Small text helpers shared by the loaders: see text.h. */
#include "base/text.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

size_t mg_text_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 255)
        la = 255;
    if (lb > 255)
        lb = 255;
    size_t row[256];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = diag + (same ? 0u : 1u);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

size_t mg_text_closest(const char *s, const char *const *cands, size_t n, size_t k, size_t max_dist,
                       size_t *out) {
    size_t dist[16];
    if (k > 16)
        k = 16;
    size_t m = 0;
    for (size_t i = 0; i < n && k > 0; i++) {
        if (!cands[i])
            continue;
        size_t d = mg_text_edit_distance(s, cands[i]);
        if (d > max_dist)
            continue;
        size_t pos = m;
        while (pos > 0 && dist[pos - 1] > d)
            pos--;
        if (pos >= k)
            continue;
        size_t last = m < k ? m : k - 1;
        for (size_t j = last; j > pos; j--) {
            dist[j] = dist[j - 1];
            out[j] = out[j - 1];
        }
        dist[pos] = d;
        out[pos] = i;
        if (m < k)
            m++;
    }
    return m;
}

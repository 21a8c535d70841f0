/* libFuzzer harness for the model loader: any input must load or be refused with
 * a message, never crash, hang or leak. See fuzz/README.md. */
#include <stddef.h>
#include <stdint.h>

#include "mgsim/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mg_context *ctx = mg_context_create();
    if (!ctx)
        return 0;
    mg_io_net_model *model = NULL;
    /* "<fuzz>" has no folder: an edge list named by the input resolves relative to the
     * working directory; only regular files are read, and nothing is written. */
    mg_io_net_load_buffer(ctx, "<fuzz>", (const char *)data, size, NULL, 0, &model);
    mg_io_net_model_free(&model);
    mg_context_destroy(&ctx);
    return 0;
}

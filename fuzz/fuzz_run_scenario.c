/* libFuzzer harness for `mgsim run` scenarios: any input must load and be checked, or be
 * refused with a message; never crash, hang or leak. It goes through everything `mgsim run
 * --check` does (keys, lists, diet plans named by the input, events, the coupled spec's
 * checks) but runs nothing. The data tables come from the source tree's data/. */
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mg_context *ctx = mg_context_create();
    if (!ctx)
        return 0;
    cli_run_check_buffer(ctx, "<fuzz>", (const char *)data, size);
    mg_context_destroy(&ctx);
    return 0;
}

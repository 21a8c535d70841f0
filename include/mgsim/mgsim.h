/* mgsim — umbrella header: the whole public C API.
 *   base.h    context, status codes, version
 *   body.h    intestinal absorption (saturable + linear), salt forms
 *   diet.h    foods dietary reference intakes, intake assessment
 *   net.h     the network engine
 *   io.h      YAML model files
 *   output.h  result writers (SONATA spikes, CSV, summary.json)
 *   plast.h   synaptic plasticity rules and protocols
 *   sleep.h   sleep-wake regulation (two-process model)
 */
#ifndef MGSIM_MGSIM_H
#define MGSIM_MGSIM_H

#include "mgsim/base.h"
#include "mgsim/body.h"
#include "mgsim/couple.h"
#include "mgsim/kinetics.h"
#include "mgsim/diet.h"
#include "mgsim/io.h"
#include "mgsim/net.h"
#include "mgsim/output.h"
#include "mgsim/plast.h"
#include "mgsim/sleep.h"
#include "mgsim/sleep_stages.h"
#include "mgsim/stress.h"

#endif /* MGSIM_MGSIM_H */

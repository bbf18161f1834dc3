//===- SpecBuilders.h - Initializer specs shared by tf and slim -*- C++ -*-===//
//
// Initializers are SpecObjs (a kind plus parameters) that the graph state
// turns into slim.variable's `initializer` attribute. tf and slim build the
// same kinds, and the module setup builds the defaults, so they are made
// here in one way.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_BUILTINS_SPECBUILDERS_H
#define SLIM_FRONTEND_BUILTINS_SPECBUILDERS_H

#include "frontend/builtins/Registry.h"

namespace slim {

/// An initializer of `kind` with numeric and string parameters.
Ref makeInitializer(std::string kind,
                    std::vector<std::pair<std::string, double>> params,
                    std::vector<std::pair<std::string, std::string>> strs = {});

/// TF-Slim's variance_scaling_initializer (xavier is factor 1, FAN_AVG):
/// its normal distribution is tf_slim's own truncated normal.
Ref makeVarianceScaling(double factor, std::string mode, bool uniform);

} // namespace slim

#endif // SLIM_FRONTEND_BUILTINS_SPECBUILDERS_H

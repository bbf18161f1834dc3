//===- SpecBuilders.cpp - Initializer specs shared by tf and slim ---------===//

#include "frontend/builtins/SpecBuilders.h"

using namespace slim;

Ref slim::makeInitializer(
    std::string kind, std::vector<std::pair<std::string, double>> params,
    std::vector<std::pair<std::string, std::string>> strs) {
  auto spec = std::make_shared<SpecObj>(ObjKind::Initializer, std::move(kind));
  spec->params = std::move(params);
  spec->strParams = std::move(strs);
  return spec;
}

Ref slim::makeVarianceScaling(double factor, std::string mode, bool uniform) {
  return makeInitializer(
      "variance_scaling", {{"factor", factor}},
      {{"mode", std::move(mode)},
       {"distribution", uniform ? "uniform" : "slim_truncated_normal"}});
}

//===- SlimUtils.cpp - slim.utils -----------------------------------------===//
//
// The tf_slim.utils functions nets call on their end_points:
// convert_collection_to_dict, collect_named_outputs and last_dimension.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/LayerArgs.h"

using namespace slim;
using llvm::dyn_cast;

namespace {

Ref convertCollectionToDict(Interpreter &in, CallArgs &args) {
  Bound b;
  std::string name;
  if (!bindArgs(
          in, "convert_collection_to_dict",
          {{"collection", nullptr}, {"clear_collection", makeBool(false)}},
          args, b) ||
      !getString(in, b, "collection", name))
    return nullptr;
  auto dict = std::make_shared<DictObj>();
  // Each tensor contributes every alias it was collected under.
  for (auto &entry : in.graph().collections[name]) {
    auto *t = dyn_cast<TensorObj>(entry.second.get());
    if (!t)
      continue;
    for (auto &alias : t->aliases)
      dict->set(makeStr(alias), entry.second);
  }
  if (isTruthy(*b.get("clear_collection")))
    in.graph().collections[name].clear();
  return dict;
}

Ref collectNamedOutputsFn(Interpreter &in, CallArgs &args) {
  Bound b;
  std::string alias;
  if (!bindArgs(
          in, "collect_named_outputs",
          {{"collections", nullptr}, {"alias", nullptr}, {"outputs", nullptr}},
          args, b) ||
      !getString(in, b, "alias", alias))
    return nullptr;
  return collectNamedOutputs(in, b.get("collections"), alias, b.get("outputs"),
                             args.loc);
}

Ref lastDimension(Interpreter &in, CallArgs &args) {
  Bound b;
  int64_t minRank;
  if (!bindArgs(in, "last_dimension",
                {{"shape", nullptr}, {"min_rank", makeInt(1)}}, args, b) ||
      !getInt(in, b, "min_rank", minRank))
    return nullptr;
  auto *seq = dyn_cast<SeqObj>(b.get("shape").get());
  if (!seq)
    return in.error(b.loc("shape"), "last_dimension() needs a TensorShape");
  if (int64_t(seq->items.size()) < minRank)
    return in.error(args.loc, "ValueError: rank of shape must be at least " +
                                  llvm::Twine(minRank) +
                                  " not: " + llvm::Twine(seq->items.size()));
  return seq->items.back();
}

const BuiltinDef utilBuiltins[] = {
    {"slim.utils", "convert_collection_to_dict", "convert_collection_to_dict",
     convertCollectionToDict},
    {"slim.utils", "collect_named_outputs", "collect_named_outputs",
     collectNamedOutputsFn},
    {"slim.utils", "last_dimension", "last_dimension", lastDimension},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::slimUtilBuiltins() { return utilBuiltins; }

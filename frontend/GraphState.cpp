//===- GraphState.cpp - TensorFlow's graph under construction -------------===//

#include "frontend/GraphState.h"

#include "dialects/Slim/IR/CheckedInt.h"
#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/SlimTrainOps.h"
#include "slim/contract.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace slim;
using llvm::cast;
using llvm::SMLoc;

GraphState::GraphState(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &context,
                       GraphDiagnostics diagnostics, int64_t batch)
    : sourceMgr(sourceMgr), context(context), diag(std::move(diagnostics)),
      batch(batch), builder(&context, &opCounter) {
  currentVarScope = std::make_shared<VarScopeObj>();
}

mlir::Location GraphState::getLoc(SMLoc loc) {
  unsigned buffer = sourceMgr.FindBufferContainingLoc(loc);
  if (!buffer)
    return mlir::UnknownLoc::get(&context);
  auto lineCol = sourceMgr.getLineAndColumn(loc, buffer);
  llvm::StringRef file =
      sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
  return mlir::FileLineColLoc::get(&context, file, lineCol.first,
                                   lineCol.second);
}

//===----------------------------------------------------------------------===//
// The module
//===----------------------------------------------------------------------===//

void GraphState::beginModule(SMLoc fileLoc, llvm::StringRef functionName) {
  module = mlir::ModuleOp::create(getLoc(fileLoc));
  moduleBody = module->getBody();
  builder.setInsertionPointToEnd(moduleBody);
  function = builder.create<mlir::func::FuncOp>(
      getLoc(fileLoc), functionName, builder.getFunctionType({}, {}));
  mlir::Block *entry = function.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
}

void GraphState::finishFunction(
    llvm::ArrayRef<std::pair<std::string, Ref>> outputs) {
  llvm::SmallVector<mlir::Value> results;
  llvm::SmallVector<mlir::Type> resultTypes;
  for (auto &out : outputs) {
    results.push_back(cast<TensorObj>(*out.second).value);
    resultTypes.push_back(results.back().getType());
  }
  builder.create<mlir::func::ReturnOp>(function.getLoc(), results);
  llvm::SmallVector<mlir::Type> argTypes;
  for (auto arg : function.getBody().front().getArguments())
    argTypes.push_back(arg.getType());
  function.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, p] : llvm::enumerate(placeholders))
    function.setArgAttr(i, "slim.name", builder.getStringAttr(p.first));
  for (auto [i, o] : llvm::enumerate(outputs))
    function.setResultAttr(i, "slim.name", builder.getStringAttr(o.first));
}

//===----------------------------------------------------------------------===//
// Names, scopes, variables
//===----------------------------------------------------------------------===//

namespace {
/// True when an f32 tensor of `shape` stays within the bytes the runtime
/// accepts for one tensor (slim/contract.h): every tensor slimc builds
/// does, so a model it compiles also loads, and no product of a tensor's
/// dims can overflow int64 later (flatten, reshape, the summary's MACs).
bool fitsTensorLimit(llvm::ArrayRef<int64_t> shape) {
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return false;
  auto n = checked::product(shape);
  auto bytes = n ? checked::mul(*n, 4) : std::nullopt;
  return bytes && *bytes <= slim::contract::kMaxTensorBytes;
}

std::string tooLargeMessage(llvm::ArrayRef<int64_t> shape) {
  std::string dims;
  llvm::raw_string_ostream os(dims);
  llvm::interleave(shape, os, ", ");
  return "shape [" + dims +
         "] is larger than 2^48 bytes, the most one tensor may have (the "
         "runtime refuses larger)";
}
} // namespace

SMLoc GraphState::sourceLoc(mlir::Location loc) {
  auto fileLoc = llvm::dyn_cast<mlir::FileLineColLoc>(loc);
  if (!fileLoc)
    return SMLoc();
  for (unsigned id = 1; id <= sourceMgr.getNumBuffers(); ++id)
    if (sourceMgr.getMemoryBuffer(id)->getBufferIdentifier() ==
        fileLoc.getFilename().getValue())
      return sourceMgr.FindLocForLineAndColumn(id, fileLoc.getLine(),
                                               fileLoc.getColumn());
  return SMLoc();
}

Ref GraphState::fail(SMLoc loc, const llvm::Twine &message) {
  diag.error(loc, message);
  return nullptr;
}

std::string GraphState::uniqueName(llvm::StringRef name, bool markUsed) {
  // Graph.unique_name compares names case-insensitively.
  std::string key = name.lower();
  int64_t i = namesInUse.lookup(key);
  if (markUsed)
    namesInUse[key] = i + 1;
  if (i == 0)
    return name.str();
  std::string base = key;
  std::string candidate;
  while (true) {
    candidate = base + "_" + std::to_string(i);
    if (!namesInUse.count(candidate))
      break;
    ++i;
  }
  if (markUsed)
    namesInUse[candidate] = 1;
  return name.str() + "_" + std::to_string(i);
}

std::string GraphState::openNameScope(llvm::StringRef name) {
  if (name.empty())
    return "";
  if (name.ends_with("/"))
    return name.str();
  return uniqueName(currentNameScope + name.str()) + "/";
}

std::string GraphState::uniqueVarScopeName(llvm::StringRef prefix) {
  std::string base = currentVarScope->name.empty()
                         ? prefix.str()
                         : currentVarScope->name + "/" + prefix.str();
  if (varScopeCounts[base] == 0)
    return prefix.str();
  int idx = 1;
  while (varScopeCounts[base + "_" + std::to_string(idx)] > 0)
    ++idx;
  return prefix.str() + "_" + std::to_string(idx);
}

void GraphState::openVarScopeCount(const std::string &fullName) {
  varScopeCounts[fullName] += 1;
  // TensorFlow forgets the counts of sub-scopes when a scope is re-entered,
  // so `Conv` numbering restarts inside each new entry.
  // The map is ordered, so the sub-scopes are one contiguous run: a scan of
  // the whole map made a net of n scopes quadratic (20,000 layers: 14 s).
  std::string prefix = fullName + "/";
  for (auto it = varScopeCounts.lower_bound(prefix);
       it != varScopeCounts.end() &&
       llvm::StringRef(it->first).starts_with(prefix);
       ++it)
    it->second = 0;
}

VariableInfo *GraphState::findVariable(llvm::StringRef name) {
  return variablesByName.lookup(name);
}

namespace {
mlir::DictionaryAttr specToAttr(mlir::MLIRContext &ctx, const SpecObj &spec) {
  mlir::Builder b(&ctx);
  llvm::SmallVector<mlir::NamedAttribute> attrs;
  attrs.push_back(b.getNamedAttr("kind", b.getStringAttr(spec.specKind)));
  for (auto &p : spec.params)
    attrs.push_back(b.getNamedAttr(p.first, b.getF64FloatAttr(p.second)));
  for (auto &p : spec.strParams)
    attrs.push_back(b.getNamedAttr(p.first, b.getStringAttr(p.second)));
  if (spec.specKind == "values") {
    attrs.push_back(
        b.getNamedAttr("indices", b.getDenseI64ArrayAttr(spec.valueIndices)));
    attrs.push_back(
        b.getNamedAttr("values", b.getDenseF32ArrayAttr(spec.values)));
  }
  if (!spec.parts.empty()) {
    llvm::SmallVector<mlir::Attribute> parts;
    for (auto &part : spec.parts)
      parts.push_back(specToAttr(ctx, cast<SpecObj>(*part)));
    attrs.push_back(b.getNamedAttr("parts", b.getArrayAttr(parts)));
  }
  return b.getDictionaryAttr(attrs);
}
} // namespace

Ref GraphState::getVariable(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                            Ref initializer, Ref regularizer, bool trainable,
                            bool isModel, std::vector<std::string> collections,
                            std::string device, SMLoc loc) {
  std::string fullName = currentVarScope->name.empty()
                             ? name.str()
                             : currentVarScope->name + "/" + name.str();
  if (VariableInfo *existing = findVariable(fullName)) {
    if (currentVarScope->reuse == 0) {
      diag.error(loc, "variable " + fullName +
                          " already exists, disallowed; did you mean to set "
                          "reuse=True or reuse=tf.AUTO_REUSE in "
                          "variable_scope?");
      diag.note(existing->loc,
                "variable " + fullName + " was first created here");
      return nullptr;
    }
    if (llvm::ArrayRef<int64_t>(existing->shape) != shape) {
      diag.error(loc, "trying to share variable " + fullName +
                          ", but specified shape [" +
                          mlir::slim::shapeToString(shape) +
                          "] and found shape [" +
                          mlir::slim::shapeToString(existing->shape) + "]");
      diag.note(existing->loc, "variable " + fullName + " was created here");
      return nullptr;
    }
    if (isModel && !existing->isModel) {
      existing->isModel = true;
      existing->op.setCollection("model");
    }
    return existing->tensor;
  }
  if (currentVarScope->reuse == 1)
    return fail(loc, "variable " + fullName +
                         " does not exist, or was not created with "
                         "tf.get_variable(); did you mean to set "
                         "reuse=tf.AUTO_REUSE in variable_scope?");
  for (int64_t d : shape)
    if (d <= 0)
      return fail(loc, "variable " + fullName + " has a non-positive shape [" +
                           mlir::slim::shapeToString(shape) + "]");
  if (mlir::slim::numElements(shape) < 0 ||
      mlir::slim::numElements(shape) > (int64_t(1) << 34))
    return fail(loc, "variable " + fullName + " of shape [" +
                         mlir::slim::shapeToString(shape) +
                         "] is too large (over 2^34 elements)");

  if (isNone(initializer))
    initializer = currentVarScope->initializer;
  if (isNone(initializer)) {
    assert(defaultInitializer && "the module setup sets the default");
    initializer = defaultInitializer;
  }
  if (isNone(regularizer))
    regularizer = currentVarScope->regularizer;
  // Callers check their arguments; this keeps a value that slipped through
  // an error instead of a bad cast.
  if (!llvm::isa<SpecObj>(*initializer) ||
      (!isNone(regularizer) && !llvm::isa<SpecObj>(*regularizer)))
    return fail(loc, "variable " + fullName + ": the " +
                         (llvm::isa<SpecObj>(*initializer) ? "regularizer"
                                                           : "initializer") +
                         " is not an initializer/regularizer object");

  auto type = mlir::RankedTensorType::get(shape, builder.getF32Type());
  mlir::OpBuilder::InsertionGuard guard(builder);
  if (lastVariable)
    builder.setInsertionPointAfter(lastVariable);
  else
    builder.setInsertionPointToStart(moduleBody);
  mlir::DictionaryAttr regAttr;
  if (!isNone(regularizer))
    regAttr = specToAttr(context, cast<SpecObj>(*regularizer));
  mlir::StringAttr deviceAttr;
  if (!device.empty())
    deviceAttr = builder.getStringAttr(device);
  auto op = builder.create<mlir::slim::VariableOp>(
      getLoc(loc), builder.getStringAttr(fullName), mlir::TypeAttr::get(type),
      specToAttr(context, cast<SpecObj>(*initializer)), regAttr,
      builder.getStringAttr(isModel ? "model" : "regular"),
      builder.getBoolAttr(trainable), deviceAttr);
  lastVariable = op;

  auto info = std::make_unique<VariableInfo>();
  info->op = op;
  info->shape.assign(shape.begin(), shape.end());
  info->loc = loc;
  info->isModel = isModel;
  info->trainable = trainable;
  info->collections = std::move(collections);

  // The read sits at the start of the graph so every use dominates.
  mlir::OpBuilder::InsertionGuard guard2(builder);
  builder.setInsertionPointToStart(&function.getBody().front());
  if (lastVariableRead)
    builder.setInsertionPointAfter(lastVariableRead);
  auto read = builder.create<mlir::slim::ReadVariableOp>(
      getLoc(loc), type,
      mlir::FlatSymbolRefAttr::get(builder.getStringAttr(fullName)));
  lastVariableRead = read;
  auto tensor = std::make_shared<TensorObj>(
      read.getResult(), llvm::SmallVector<int64_t, 4>(shape), fullName);
  tensor->varName = fullName;
  info->tensor = tensor;
  variablesByName[fullName] = info.get();
  variables.push_back(std::move(info));
  uniqueName(fullName);
  return tensor;
}

Ref GraphState::addPlaceholder(llvm::ArrayRef<int64_t> declared,
                               llvm::StringRef name, SMLoc loc,
                               mlir::Type elementType) {
  // A None batch dimension (-1 here) takes the --batch size.
  llvm::SmallVector<int64_t, 4> shape(declared);
  for (int64_t &d : shape)
    if (d < 0)
      d = batch;
  std::string tfName = uniqueName(currentNameScope + name.str());
  for (auto &p : placeholders)
    if (p.first == tfName)
      return fail(loc, "placeholder name '" + tfName + "' is already used");
  if (!fitsTensorLimit(shape))
    return fail(loc, "tf.placeholder: " + tooLargeMessage(shape));
  auto type = mlir::RankedTensorType::get(
      shape, elementType ? elementType : builder.getF32Type());
  mlir::Block &body = function.getBody().front();
  mlir::Value arg = body.addArgument(type, getLoc(loc));
  auto tensor = std::make_shared<TensorObj>(
      arg, llvm::SmallVector<int64_t, 4>(shape), tfName);
  placeholders.emplace_back(tfName, tensor);
  operations.push_back(tensor);
  return tensor;
}

Ref GraphState::makeTensor(mlir::Value value, llvm::StringRef opType) {
  auto type = llvm::cast<mlir::RankedTensorType>(value.getType());
  // The one place every op result passes: a shape rule may give a legal
  // but huge shape (tile, concat, broadcasting, resize).
  if (!fitsTensorLimit(type.getShape()))
    return fail(sourceLoc(value.getLoc()),
                opType + ": the output's " + tooLargeMessage(type.getShape()));
  // Integer tensors (a training script's labels, the global step) feed
  // only the losses; every other op computes in f32.
  if (mlir::Operation *op = value.getDefiningOp();
      op && !llvm::isa<mlir::slim::SoftmaxCrossEntropyOp>(op))
    for (mlir::Value operand : op->getOperands())
      if (!llvm::cast<mlir::RankedTensorType>(operand.getType())
               .getElementType()
               .isF32())
        return fail(sourceLoc(value.getLoc()),
                    opType + ": slimc computes in float32; an integer "
                             "tensor (labels, the global step) can only be "
                             "the labels of a loss");
  auto tensor = std::make_shared<TensorObj>(
      value, llvm::SmallVector<int64_t, 4>(type.getShape()),
      uniqueName(currentNameScope + opType.str()));
  operations.push_back(tensor);
  return tensor;
}

void GraphState::erasePlaceholders(
    llvm::function_ref<bool(llvm::StringRef)> drop) {
  mlir::Block &body = function.getBody().front();
  for (size_t i = placeholders.size(); i-- > 0;) {
    if (!drop(placeholders[i].first))
      continue;
    auto value = cast<TensorObj>(*placeholders[i].second).value;
    auto arg = llvm::cast<mlir::BlockArgument>(value);
    assert(arg.use_empty() && "a dropped input must be unused");
    body.eraseArgument(arg.getArgNumber());
    placeholders.erase(placeholders.begin() + i);
  }
}

Ref GraphState::createGlobalStep(SMLoc loc) {
  const std::string name = "global_step";
  if (VariableInfo *existing = findVariable(name)) {
    if (existing->op.getCollection() == "global")
      return existing->tensor;
    diag.error(loc, "tf.train.get_or_create_global_step: the variable "
                    "'global_step' already exists and is not a global step");
    diag.note(existing->loc, "it was created here");
    return nullptr;
  }
  auto type = mlir::RankedTensorType::get({}, builder.getI64Type());
  mlir::OpBuilder::InsertionGuard guard(builder);
  if (lastVariable)
    builder.setInsertionPointAfter(lastVariable);
  else
    builder.setInsertionPointToStart(moduleBody);
  auto zeros = builder.getDictionaryAttr(
      builder.getNamedAttr("kind", builder.getStringAttr("zeros")));
  auto op = builder.create<mlir::slim::VariableOp>(
      getLoc(loc), builder.getStringAttr(name), mlir::TypeAttr::get(type),
      zeros, mlir::DictionaryAttr(), builder.getStringAttr("global"),
      builder.getBoolAttr(false), mlir::StringAttr());
  lastVariable = op;
  builder.setInsertionPointToStart(&function.getBody().front());
  if (lastVariableRead)
    builder.setInsertionPointAfter(lastVariableRead);
  auto read = builder.create<mlir::slim::ReadVariableOp>(
      getLoc(loc), type,
      mlir::FlatSymbolRefAttr::get(builder.getStringAttr(name)));
  lastVariableRead = read;
  auto tensor = std::make_shared<TensorObj>(
      read.getResult(), llvm::SmallVector<int64_t, 4>(), name);
  tensor->varName = name;
  auto info = std::make_unique<VariableInfo>();
  info->op = op;
  info->loc = loc;
  info->trainable = false;
  info->collections = {"variables", "global_step"};
  info->tensor = tensor;
  variablesByName[name] = info.get();
  variables.push_back(std::move(info));
  uniqueName(name);
  return tensor;
}

void GraphState::eraseVariable(llvm::StringRef name) {
  VariableInfo *info = findVariable(name);
  if (!info)
    return;
  mlir::Operation *op = info->op;
  // Reads of it go first; the caller made sure nothing uses them.
  llvm::SmallVector<mlir::Operation *> reads;
  function.walk([&](mlir::slim::ReadVariableOp read) {
    if (read.getName() == name)
      reads.push_back(read);
  });
  for (mlir::Operation *read : reads) {
    assert(read->use_empty() && "an erased variable must be unread");
    if (read == lastVariableRead)
      lastVariableRead = read->getPrevNode();
    read->erase();
  }
  if (op == lastVariable)
    lastVariable = op->getPrevNode();
  op->erase();
  variablesByName.erase(name);
  llvm::erase_if(variables, [&](const std::unique_ptr<VariableInfo> &v) {
    return v.get() == info;
  });
}

void GraphState::addNamedOutput(Ref tensor, std::string name) {
  namedOutputs.emplace_back(std::move(name), std::move(tensor));
}

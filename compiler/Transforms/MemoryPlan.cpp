//===- MemoryPlan.cpp - slim-memory-plan ----------------------------------===//
//
// Static memory plan of the activation arena. The schedule is program order;
// every intermediate tensor lives from the op that writes it to its last
// reader. Buffers are placed greedily by decreasing size, each at the
// tightest gap among the already placed buffers whose lifetimes overlap it
// ("greedy by size", Pisarchyk & Lee 2020; TFLite's and XNNPACK's arena
// planners), which on chains of layers reaches the live-set lower bound.
//
// Buffers are planned, not values: a reshape is a view of its input (so are
// identity and dropout, which a compiled model runs as the identity), an
// unfused elementwise op overwrites an operand that dies with it, and a
// channel concat whose inputs exist only to be concatenated is one buffer
// that its producers write into at channel offsets, so the concat copies
// nothing. Graph inputs, outputs, variables and parameters live outside the
// arena; an op without `arena_offset` writes a graph output (directly or
// through views) or, in @slim_prepare, a parameter.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/CheckedInt.h"
#include "dialects/Slim/IR/SlimOps.h"
#include "slim/contract.h"

#include "mlir/IR/Builders.h"

namespace mlir::slim {
#define GEN_PASS_DEF_MEMORYPLANPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::slim

using namespace mlir;
using namespace mlir::slim;

namespace {
/// a + b, clamped at INT64_MAX: the totals below only need to compare
/// against limits far under it.
int64_t saturatingAdd(int64_t a, int64_t b) {
  return ::slim::checked::add(a, b).value_or(INT64_MAX);
}

int64_t alignTo(int64_t bytes, int64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

/// Ops whose kernels write their output at a channel offset of a bigger
/// tensor (the `*CbOffset` / `outCOffset` fields of the runtime kernels).
bool canWriteAtChannelOffset(Operation *op) {
  return isa<FusedConv2DOp, FusedDepthwiseConv2DOp, MaxPoolOp, AvgPoolOp,
             FusedConv3DOp, MaxPool3DOp, AvgPool3DOp>(op);
}

/// Ops whose result the code generator makes a view of their operand: a
/// reshape; an identity; a dropout, which runs as the identity even in
/// training mode (the seed's VGG-16 never sets is_training). The result
/// shares the operand's buffer, so that buffer lives until the view's last
/// reader. (On a blocked tensor the code generator copies a dropout instead;
/// in the shared buffer that copy is in place and writes equal values.)
bool isView(Operation *op) { return isa<ReshapeOp, IdentityOp, DropoutOp>(op); }

struct Buffer {
  /// Bytes; per sample for a batch-scaled buffer.
  int64_t size = 0;
  /// Per-sample planning (slim-memory-plan{per-sample}): a tensor computed
  /// from the inputs, whose bytes and offset scale with the batch.
  bool scaled = false;
  int64_t start = 0, end = 0; ///< Op positions, inclusive.
  int64_t offset = -1;
};

/// The result of planning one function.
struct Plan {
  int64_t arenaSize = 0;
  int64_t noReuse = 0;
  int64_t lowerBound = 0;
  /// Per-sample planning: the arena bytes that scale with the batch.
  int64_t perSample = 0;
};

class FunctionPlanner {
public:
  FunctionPlanner(func::FuncOp func, int64_t alignment, bool isPrepare,
                  bool perSample)
      : func(func), alignment(alignment), isPrepare(isPrepare),
        perSample(perSample && !isPrepare) {}

  /// The plan, or failure after an error at a tensor larger than the
  /// runtime accepts (the arena's own limit is the caller's to check).
  FailureOr<Plan> run() {
    Block &body = func.getBody().front();
    for (Operation &op : body)
      positions[&op] = positions.size();
    collectValues(body);
    if (perSample)
      findScaledValues(body);
    if (!isPrepare)
      planConcatsInPlace(body);
    if (failed(buildBuffers()))
      return failure();
    assignOffsets();
    annotate();
    return plan;
  }

private:
  /// Whether `v` lives in the arena: written by an op of this function and
  /// neither a graph output, a variable, a parameter nor (in prepare) a value
  /// stored into a parameter.
  bool isPlanned(Value v) {
    Operation *def = v.getDefiningOp();
    if (!def || isa<ReadVariableOp, ReadParamOp>(def))
      return false;
    if (llvm::any_of(v.getUsers(), [](Operation *user) {
          return isa<func::ReturnOp, WriteParamOp>(user);
        }))
      return false;
    // Read only by a view into an output: the producer writes the output
    // buffer itself, the view stays a view.
    if (v.hasOneUse() && isView(*v.getUsers().begin()) &&
        feedsOutput(v.getUsers().begin()->getResult(0)))
      return false;
    // A view of an input, variable or parameter is a view of it.
    if (isView(def))
      return isPlanned(def->getOperand(0));
    return llvm::isa<RankedTensorType>(v.getType());
  }

  /// Per-sample planning: the values computed from the function's arguments
  /// (the inputs, whose dim 0 is the batch). Which values follow the batch
  /// is known from the data flow, not from their sizes; buildBuffers checks
  /// that each has the batch as dim 0.
  void findScaledValues(Block &body) {
    for (BlockArgument arg : body.getArguments()) {
      scaled.insert(arg);
      auto type = llvm::dyn_cast<RankedTensorType>(arg.getType());
      if (type && type.getRank() > 0)
        batch = type.getDimSize(0);
    }
    for (Operation &op : body)
      if (llvm::any_of(op.getOperands(),
                       [&](Value v) { return scaled.contains(v); }))
        for (Value r : op.getResults())
          scaled.insert(r);
  }

  /// Whether `v` is stored outside the arena because it is a graph output or
  /// a parameter, or viewed as one.
  bool feedsOutput(Value v) {
    if (llvm::any_of(v.getUsers(), [](Operation *user) {
          return isa<func::ReturnOp, WriteParamOp>(user);
        }))
      return true;
    if (!v.hasOneUse() || !isView(*v.getUsers().begin()))
      return false;
    return feedsOutput(v.getUsers().begin()->getResult(0));
  }

  void collectValues(Block &body) {
    for (Operation &op : body) {
      for (Value result : op.getResults()) {
        if (!isPlanned(result))
          continue;
        valueIndex[result] = values.size();
        values.push_back(result);
        parent.push_back(parent.size());
      }
      // A dense reshape only renames its input's elements; identity and
      // dropout keep them.
      if (isView(&op) && isPlanned(op.getOperand(0)) &&
          isPlanned(op.getResult(0)))
        unite(op.getOperand(0), op.getResult(0));
      planElementwiseInPlace(op);
    }
  }

  /// An elementwise op left unfused reads element i only to write element i,
  /// so it may overwrite an operand that dies with it.
  void planElementwiseInPlace(Operation &op) {
    if (!isa<ActivationOp, ChannelAffineOp, BiasAddOp, AddOp, BinaryOp,
             BinaryScalarOp>(op) ||
        !isPlanned(op.getResult(0)))
      return;
    // A broadcast operand has another type than the result, so only the
    // operand of the result's shape is a candidate.
    unsigned candidates = isa<AddOp, BinaryOp>(op) ? 2 : 1;
    auto resultType = llvm::cast<RankedTensorType>(op.getResult(0).getType());
    for (unsigned i = 0; i < candidates; ++i) {
      Value operand = op.getOperand(i);
      if (!isPlanned(operand) || operand.getType() != resultType ||
          !llvm::all_of(operand.getUsers(),
                        [&](Operation *user) { return user == &op; }) ||
          bufferReadAfter(operand, &op))
        continue;
      unite(operand, op.getResult(0));
      return;
    }
  }

  /// Whether any value sharing `v`'s buffer (a reshape's source, say) is
  /// read after `op`, so that `op` must not overwrite it.
  bool bufferReadAfter(Value v, Operation *op) {
    unsigned root = find(valueIndex.lookup(v));
    int64_t position = positionOf(op);
    for (auto [i, other] : llvm::enumerate(values)) {
      if (find(i) != root)
        continue;
      for (Operation *user : other.getUsers())
        if (positionOf(user) > position)
          return true;
    }
    return false;
  }

  /// Merges concat inputs into the concat's buffer where their producers can
  /// write there directly and nothing else reads them.
  void planConcatsInPlace(Block &body) {
    for (auto concat : body.getOps<ConcatOp>()) {
      if (!isPlanned(concat.getOutput()))
        continue;
      auto type = concat.getOutput().getType();
      int64_t rank = type.getRank();
      int64_t axis = static_cast<int64_t>(concat.getAxis());
      if (axis < 0)
        axis += rank;
      if (axis != rank - 1)
        continue;
      int64_t block = getLayoutBlock(type);
      llvm::SmallVector<bool> inPlace;
      int64_t channelOffset = 0;
      for (Value input : concat.getInputs()) {
        Operation *def = input.getDefiningOp();
        // A blocked producer can only start at a whole channel block.
        bool aligned = block <= 0 || channelOffset % block == 0;
        bool ok = def && canWriteAtChannelOffset(def) && input.hasOneUse() &&
                  isPlanned(input) && aligned &&
                  !def->hasAttr("concat_channel_offset");
        inPlace.push_back(ok);
        if (ok) {
          unite(input, concat.getOutput());
          OpBuilder b(def);
          def->setAttr("concat_channel_offset",
                       b.getI64IntegerAttr(channelOffset));
          def->setAttr("concat_channels",
                       b.getI64IntegerAttr(type.getShape().back()));
        }
        channelOffset +=
            llvm::cast<RankedTensorType>(input.getType()).getShape().back();
      }
      concat->setAttr("in_place_inputs",
                      DenseBoolArrayAttr::get(concat.getContext(), inPlace));
    }
  }

  /// Union-find over planned values: each class is one buffer.
  unsigned find(unsigned i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }
  void unite(Value a, Value b) {
    parent[find(valueIndex.lookup(a))] = find(valueIndex.lookup(b));
  }

  int64_t positionOf(Operation *op) {
    Block &body = func.getBody().front();
    Operation *ancestor = body.findAncestorOpInBlock(*op);
    return positions.lookup(ancestor);
  }

  /// The position of the last op that reads `v`, directly or through views:
  /// a view that is not planned (a graph output) still reads `v`'s buffer
  /// when the output is copied out, after every op.
  int64_t lastRead(Value v) {
    int64_t end = -1;
    for (Operation *user : v.getUsers()) {
      end = std::max(end, positionOf(user));
      if (isView(user) && !isPlanned(user->getResult(0)))
        end = std::max(end, lastRead(user->getResult(0)));
    }
    return end;
  }

  LogicalResult buildBuffers() {
    for (Value v : values) {
      auto type = llvm::cast<RankedTensorType>(v.getType());
      // Passes may grow a tensor (the blocked layout pads channels): each
      // must still be one the runtime accepts, and then no sum below wraps.
      int64_t bytes = getStorageBytes(type);
      if (bytes < 0 || bytes > ::slim::contract::kMaxTensorBytes)
        return v.getDefiningOp()->emitOpError()
               << "result of type " << type
               << " is larger than 2^48 bytes, the most one tensor may have "
                  "(the runtime refuses larger)";
      Value leader = values[find(valueIndex.lookup(v))];
      bool isScaled = scaled.contains(v);
      if (isScaled) {
        if (type.getRank() < 1 || type.getDimSize(0) != batch ||
            bytes % batch != 0)
          return v.getDefiningOp()->emitOpError()
                 << "result of type " << type
                 << " is computed from the inputs but does not have the "
                    "batch "
                 << batch
                 << " as dim 0: it cannot be planned for a run-time batch "
                    "(compile with --static-batch)";
        bytes /= batch;
      }
      auto [it, inserted] = bufferIndex.try_emplace(leader, buffers.size());
      if (inserted) {
        Buffer buffer;
        buffer.start = positionOf(v.getDefiningOp());
        buffer.end = buffer.start;
        buffer.scaled = isScaled;
        buffers.push_back(buffer);
      }
      Buffer &buffer = buffers[it->second];
      if (buffer.scaled != isScaled)
        return v.getDefiningOp()->emitOpError()
               << "shares its buffer with a tensor that does not follow the "
                  "batch: it cannot be planned for a run-time batch (compile "
                  "with --static-batch)";
      // A class's largest member (the concat output) gives its size.
      buffer.size = std::max(buffer.size, alignTo(bytes, alignment));
      buffer.start = std::min(buffer.start, positionOf(v.getDefiningOp()));
      buffer.end = std::max(buffer.end, positionOf(v.getDefiningOp()));
      buffer.end = std::max(buffer.end, lastRead(v));
      if (!isView(v.getDefiningOp()))
        plan.noReuse = saturatingAdd(plan.noReuse, alignTo(bytes, alignment) *
                                                       (isScaled ? batch : 1));
    }
    return success();
  }

  /// Places the buffers one by one in `order`, each at the tightest gap
  /// among the already placed buffers whose lifetimes overlap it (or on top
  /// of them), and returns the arena size.
  int64_t placeInOrder(llvm::ArrayRef<unsigned> order,
                       llvm::SmallVectorImpl<int64_t> &offsets) {
    offsets.assign(buffers.size(), -1);
    int64_t arenaSize = 0;
    llvm::SmallVector<unsigned> placed;
    for (unsigned i : order) {
      const Buffer &buffer = buffers[i];
      llvm::SmallVector<unsigned> conflicts;
      for (unsigned j : placed) {
        const Buffer &other = buffers[j];
        if (other.start <= buffer.end && buffer.start <= other.end)
          conflicts.push_back(j);
      }
      llvm::sort(conflicts, [&](unsigned a, unsigned b) {
        return offsets[a] < offsets[b];
      });
      int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
      for (unsigned j : conflicts) {
        int64_t gap = offsets[j] - cursor;
        if (gap >= buffer.size && gap < bestGap) {
          best = cursor;
          bestGap = gap;
        }
        cursor = std::max(cursor, offsets[j] + buffers[j].size);
      }
      offsets[i] = best >= 0 ? best : cursor;
      // Past the limit the plan is refused anyway; stopping here keeps every
      // offset + size (each at most ~2^48) far from overflowing.
      if (offsets[i] > ::slim::contract::kMaxArenaBytes)
        return INT64_MAX;
      arenaSize = std::max(arenaSize, offsets[i] + buffer.size);
      placed.push_back(i);
    }
    return arenaSize;
  }

  /// Bytes `buffer` has at the planned batch.
  int64_t fullSize(const Buffer &buffer) const {
    return buffer.scaled ? buffer.size * batch : buffer.size;
  }

  void assignOffsets() {
    // Bytes alive at each op; its maximum is the lower bound no plan beats.
    int64_t numOps = positions.size();
    llvm::SmallVector<int64_t> breadth(numOps, 0);
    for (const Buffer &buffer : buffers)
      for (int64_t p = buffer.start; p <= buffer.end; ++p)
        breadth[p] = saturatingAdd(breadth[p], fullSize(buffer));
    for (int64_t b : breadth)
      plan.lowerBound = std::max(plan.lowerBound, b);
    if (!perSample) {
      llvm::SmallVector<unsigned> all;
      for (unsigned i = 0; i < buffers.size(); ++i)
        all.push_back(i);
      plan.arenaSize = placeSubset(all, breadth);
      return;
    }
    // Per-sample planning: the scaled buffers are planned by their bytes per
    // sample, so at batch b each offset is b times the batch-1 offset and
    // the plan is the same for every batch; the others follow them.
    llvm::SmallVector<unsigned> scaledBuffers, fixedBuffers;
    for (unsigned i = 0; i < buffers.size(); ++i)
      (buffers[i].scaled ? scaledBuffers : fixedBuffers).push_back(i);
    plan.perSample = placeSubset(scaledBuffers, breadth);
    int64_t fixed = placeSubset(fixedBuffers, breadth);
    if (plan.perSample > ::slim::contract::kMaxArenaBytes / batch ||
        fixed > ::slim::contract::kMaxArenaBytes) {
      plan.arenaSize = INT64_MAX; // Refused by the caller.
      return;
    }
    int64_t base = plan.perSample * batch;
    for (Buffer &buffer : buffers)
      buffer.offset =
          buffer.scaled ? buffer.offset * batch : base + buffer.offset;
    plan.arenaSize = saturatingAdd(base, fixed);
  }

  /// Places the buffers `subset` (offsets from 0) and returns their arena.
  int64_t placeSubset(llvm::ArrayRef<unsigned> subset,
                      llvm::ArrayRef<int64_t> breadth) {
    int64_t numOps = positions.size();
    if (subset.empty())
      return 0;

    // Placement order decides how well gaps are reused, and no single order
    // is best on every graph, so try the orders of Pisarchyk & Lee's greedy
    // planners and keep the smallest arena. Each is O(n^2) in buffers, which
    // is cheap next to compiling the C++.
    llvm::SmallVector<llvm::SmallVector<unsigned>> orders;
    llvm::SmallVector<unsigned> all(subset.begin(), subset.end());
    // Greedy by size: biggest first, earlier first among equals.
    orders.push_back(all);
    llvm::stable_sort(orders.back(), [&](unsigned a, unsigned b) {
      if (buffers[a].size != buffers[b].size)
        return buffers[a].size > buffers[b].size;
      return buffers[a].start < buffers[b].start;
    });
    // Greedy by breadth: the buffers of the most crowded op first.
    llvm::SmallVector<int64_t> crowded;
    for (int64_t p = 0; p < numOps; ++p)
      crowded.push_back(p);
    llvm::stable_sort(
        crowded, [&](int64_t a, int64_t b) { return breadth[a] > breadth[b]; });
    llvm::SmallVector<bool> taken(buffers.size(), true);
    for (unsigned i : subset)
      taken[i] = false;
    orders.emplace_back();
    for (int64_t p : crowded) {
      llvm::SmallVector<unsigned> live;
      for (unsigned i : orders.front())
        if (!taken[i] && buffers[i].start <= p && p <= buffers[i].end)
          live.push_back(i);
      for (unsigned i : live) {
        taken[i] = true;
        orders.back().push_back(i);
      }
    }
    // Program order: each buffer next to what was live when it was made.
    orders.push_back(all);
    llvm::stable_sort(orders.back(), [&](unsigned a, unsigned b) {
      return buffers[a].start < buffers[b].start;
    });

    llvm::SmallVector<int64_t> offsets, bestOffsets;
    int64_t bestSize = INT64_MAX;
    for (auto &order : orders) {
      int64_t size = placeInOrder(order, offsets);
      if (size < bestSize || bestOffsets.empty()) {
        bestSize = size;
        bestOffsets = offsets;
      }
    }
    for (unsigned i : subset)
      buffers[i].offset = bestOffsets[i];
    return bestSize;
  }

  void annotate() {
    Builder b(func.getContext());
    llvm::DenseMap<Operation *, llvm::SmallVector<int64_t, 2>> offsets;
    for (Value v : values) {
      Operation *def = v.getDefiningOp();
      auto &list = offsets[def];
      list.resize(def->getNumResults(), -1);
      const Buffer &buffer =
          buffers[bufferIndex.lookup(values[find(valueIndex.lookup(v))])];
      list[llvm::cast<OpResult>(v).getResultNumber()] = buffer.offset;
    }
    for (auto &[op, list] : offsets) {
      if (list.size() == 1)
        op->setAttr("arena_offset", b.getI64IntegerAttr(list.front()));
      else
        op->setAttr("arena_offsets", b.getDenseI64ArrayAttr(list));
    }
  }

  func::FuncOp func;
  int64_t alignment;
  bool isPrepare;
  bool perSample;
  /// Per-sample planning: values computed from the inputs, and the batch.
  llvm::DenseSet<Value> scaled;
  int64_t batch = 1;
  Plan plan;
  llvm::DenseMap<Operation *, int64_t> positions;
  llvm::SmallVector<Value> values;
  llvm::DenseMap<Value, unsigned> valueIndex;
  llvm::SmallVector<unsigned> parent;
  llvm::DenseMap<Value, unsigned> bufferIndex;
  llvm::SmallVector<Buffer> buffers;
};

struct MemoryPlanPass : mlir::slim::impl::MemoryPlanPassBase<MemoryPlanPass> {
  using MemoryPlanPassBase::MemoryPlanPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (alignment < 1 || (alignment & (alignment - 1))) {
      module.emitError("alignment must be a power of two");
      return signalPassFailure();
    }
    // A derived parameter (a packed filter) is allocated by the runtime,
    // which refuses one over its limit: so does slimc.
    WalkResult params = module.walk([](ParamOp param) {
      auto type = llvm::cast<RankedTensorType>(param.getType());
      int64_t bytes = getStorageBytes(type);
      if (bytes >= 0 && bytes <= ::slim::contract::kMaxParamBytes)
        return WalkResult::advance();
      param.emitOpError() << "of type " << type
                          << " is larger than 2^48 bytes (the runtime "
                             "refuses larger)";
      return WalkResult::interrupt();
    });
    if (params.wasInterrupted())
      return signalPassFailure();
    Builder b(&getContext());
    Plan graph;
    int64_t prepareScratch = 0;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      bool isPrepare = func.getSymName() == "slim_prepare";
      FailureOr<Plan> planned =
          FunctionPlanner(func, alignment, isPrepare, perSample).run();
      if (failed(planned))
        return signalPassFailure();
      Plan plan = *planned;
      if (plan.arenaSize > (isPrepare ? ::slim::contract::kMaxParamBytes
                                      : ::slim::contract::kMaxArenaBytes)) {
        func.emitError() << (isPrepare ? "the prepare scratch" : "the arena")
                         << " of @" << func.getSymName()
                         << " needs more than 2^48 bytes (the runtime "
                            "refuses larger)";
        return signalPassFailure();
      }
      if (isPrepare) {
        prepareScratch = std::max(prepareScratch, plan.arenaSize);
        continue;
      }
      // Several graph functions run one at a time: the arena is the largest.
      graph.arenaSize = std::max(graph.arenaSize, plan.arenaSize);
      graph.noReuse = std::max(graph.noReuse, plan.noReuse);
      graph.lowerBound = std::max(graph.lowerBound, plan.lowerBound);
      graph.perSample = std::max(graph.perSample, plan.perSample);
    }
    if (perSample)
      module->setAttr("slim.arena_bytes_per_sample",
                      b.getI64IntegerAttr(graph.perSample));
    module->setAttr("slim.arena_size", b.getI64IntegerAttr(graph.arenaSize));
    module->setAttr("slim.arena_alignment", b.getI64IntegerAttr(alignment));
    module->setAttr("slim.arena_no_reuse", b.getI64IntegerAttr(graph.noReuse));
    module->setAttr("slim.arena_lower_bound",
                    b.getI64IntegerAttr(graph.lowerBound));
    module->setAttr("slim.prepare_scratch_size",
                    b.getI64IntegerAttr(prepareScratch));
  }
};
} // namespace

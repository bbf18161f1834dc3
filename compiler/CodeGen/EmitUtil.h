//===- EmitUtil.h - Text and type helpers of code generation ----*- C++ -*-===//
//
// Spelling values as C++ source (strings, floats, dimension lists), reading
// shapes, layouts and attributes off slim values and ops: what every target's
// emitter needs and none owns.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_CODEGEN_EMITUTIL_H
#define SLIM_CODEGEN_EMITUTIL_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace mlir::slim::codegen {

/// Generated statements with indentation (two spaces per level; a function
/// body starts at one level).
class Writer {
public:
  explicit Writer(std::string &buf) : os(buf) {}
  Writer &line(const llvm::Twine &text) {
    os.indent(indent) << text << "\n";
    return *this;
  }
  void in() { indent += 2; }
  void out() { indent -= 2; }

private:
  llvm::raw_string_ostream os;
  unsigned indent = 2;
};

int64_t numElements(Value v);
ArrayRef<int64_t> shapeOf(Value v);
/// The blocked layout's vector width of `v` (8 for nChw8c and ndChw8c, 16
/// for nChw16c and ndChw16c), 0 for dense NHWC, -1 for an encoding the
/// emitters do not know.
int64_t blockWidth(Value v);
int64_t ceilDiv(int64_t a, int64_t b);
/// A blocked activation's frames as the fast 4-D kernels see them:
/// [batch, H, W, C] of a 4-D NHWC value, [N * D, H, W, C] of a 5-D NDHWC
/// one (its layout is the 4-D layout of the N * D frames).
struct Frames {
  int64_t batch, h, w, c;
};
Frames framesOf(Value v);
int64_t product(ArrayRef<int64_t> dims);

/// `s` as a C string literal.
std::string cString(StringRef s);
/// `d` as a C double literal that reads back exactly.
std::string fmtDouble(double d);
/// `d` as a C float literal (`f` suffix) that reads back exactly as float.
std::string fmtFloat(double d);
/// "{1, 224, 224, 3}"; "{0}" for a scalar (a C aggregate needs one value).
std::string dimsList(ArrayRef<int64_t> dims);
/// "1, 224, 224, 3".
std::string joinInts(ArrayRef<int64_t> values);

/// The op's TF-Slim scope, "" if it has none.
StringRef scopeOf(Operation *op);
/// The kernels' Activation enumerator for a `slim.activation` kind or a
/// fused op's `activation`; empty if there is none (softplus).
std::string activationEnum(StringRef kind);
/// The kernels' Pointwise enumerator for a `slim.activation` kind (every kind
/// has one): "Pointwise::LeakyRelu".
std::string pointwiseEnum(StringRef kind);
/// The kernels' Binary enumerator for a slim.binary kind: "Binary::Mul".
std::string binaryEnum(StringRef kind);
/// The kernels' Reduce enumerator for a reduce op: "Reduce::Sum".
std::string reduceEnum(Operation *op);
/// Shapes of a broadcast as the kernels take them: both operands left-padded
/// with 1s to the result's rank (a scalar result counts as rank 1).
struct BroadcastShapes {
  SmallVector<int64_t, 4> a, b, y;
};
BroadcastShapes broadcastShapes(Value a, Value b, Value y);
/// A numeric attribute of an initializer or regularizer dictionary.
double attrNumber(DictionaryAttr dict, StringRef key, double dflt = 0.0);
/// A string attribute of an initializer or regularizer dictionary.
StringRef attrString(DictionaryAttr dict, StringRef key);

} // namespace mlir::slim::codegen

#endif // SLIM_CODEGEN_EMITUTIL_H

//===- Eval.cpp - Expressions and calls of the elaborator -----------------===//

#include "dialects/Slim/IR/CheckedInt.h"
#include "frontend/Interpreter.h"
#include "frontend/PyNumpy.h"
#include "frontend/builtins/TFArray.h"
#include "frontend/builtins/TFMath.h"
#include "frontend/builtins/TensorShape.h"

#include "dialects/Slim/IR/ShapeRules.h"

#include <cmath>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

static constexpr unsigned kMaxCallDepth = 200;
static constexpr int64_t kMaxSequenceLength = 10'000'000;

namespace {
bool isIntLike(const Object &o) { return isa<IntObj>(o) || isa<BoolObj>(o); }
int64_t intValue(const Object &o) {
  if (auto *i = dyn_cast<IntObj>(&o))
    return i->value;
  return cast<BoolObj>(o).value;
}
bool isNumeric(const Object &o) { return isIntLike(o) || isa<FloatObj>(o); }
double floatValue(const Object &o) {
  if (auto *f = dyn_cast<FloatObj>(&o))
    return f->value;
  return double(intValue(o));
}
} // namespace

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Ref Interpreter::eval(const ExprAST &expr, const EnvPtr &env) {
  switch (expr.getKind()) {
  case ExprAST::Expr_Name: {
    auto &n = cast<NameExprAST>(expr);
    Ref value = env->lookup(n.getName());
    if (!value)
      return raise("NameError", n.getLoc(),
                   "name '" + n.getName() + "' is not defined");
    return value;
  }
  case ExprAST::Expr_Int:
    return makeInt(cast<IntExprAST>(expr).getValue());
  case ExprAST::Expr_Float:
    return makeFloat(cast<FloatExprAST>(expr).getValue());
  case ExprAST::Expr_String:
    return makeStr(cast<StringExprAST>(expr).getValue().str());
  case ExprAST::Expr_Bool:
    return makeBool(cast<BoolExprAST>(expr).getValue());
  case ExprAST::Expr_None:
    return makeNone();
  case ExprAST::Expr_Ellipsis:
    return error(expr.getLoc(),
                 "'...' stands for a value the snippet leaves out; slimc "
                 "needs a real one (for an input, use tf.placeholder)");
  case ExprAST::Expr_List:
  case ExprAST::Expr_Tuple: {
    const ExprList &elements = expr.getKind() == ExprAST::Expr_List
                                   ? cast<ListExprAST>(expr).getElements()
                                   : cast<TupleExprAST>(expr).getElements();
    std::vector<Ref> items;
    for (const ExprPtr &e : elements) {
      Ref v = eval(*e, env);
      if (!v)
        return nullptr;
      items.push_back(v);
    }
    return expr.getKind() == ExprAST::Expr_List ? makeList(std::move(items))
                                                : makeTuple(std::move(items));
  }
  case ExprAST::Expr_Dict: {
    auto dict = std::make_shared<DictObj>();
    for (const DictEntry &entry : cast<DictExprAST>(expr).getEntries()) {
      Ref k = eval(*entry.key, env);
      if (!k)
        return nullptr;
      if (k->kind == ObjKind::List || k->kind == ObjKind::Dict)
        return error(entry.key->getLoc(),
                     "unhashable type: '" + typeName(*k) + "'");
      Ref v = eval(*entry.value, env);
      if (!v)
        return nullptr;
      dict->set(k, v);
    }
    return dict;
  }
  case ExprAST::Expr_Unary: {
    auto &u = cast<UnaryExprAST>(expr);
    Ref v = eval(u.getOperand(), env);
    if (!v)
      return nullptr;
    switch (u.getOp()) {
    case UnaryOp::Not:
      if (isa<TensorObj>(*v))
        return error(u.getLoc(), "'not' of a tensor is not known at compile "
                                 "time");
      return makeBool(!isTruthy(*v));
    case UnaryOp::Neg:
      if (isIntLike(*v)) {
        if (auto r = checked::neg(intValue(*v)))
          return makeInt(*r);
        return error(u.getLoc(), "integer overflow in unary '-'");
      }
      if (auto *f = dyn_cast<FloatObj>(v.get()))
        return makeFloat(-f->value);
      if (isa<TensorObj>(*v))
        return tensorNegate(*this, v, u.getLoc());
      return error(u.getLoc(),
                   "bad operand type for unary -: '" + typeName(*v) + "'");
    case UnaryOp::Pos:
      if (isNumeric(*v))
        return isa<BoolObj>(*v) ? makeInt(intValue(*v)) : v;
      return error(u.getLoc(),
                   "bad operand type for unary +: '" + typeName(*v) + "'");
    }
    return nullptr;
  }
  case ExprAST::Expr_Binary: {
    auto &b = cast<BinaryExprAST>(expr);
    Ref lhs = eval(b.getLHS(), env);
    if (!lhs)
      return nullptr;
    Ref rhs = eval(b.getRHS(), env);
    if (!rhs)
      return nullptr;
    return evalBinary(b.getOp(), lhs, rhs, b.getOpLoc());
  }
  case ExprAST::Expr_Logical: {
    auto &l = cast<LogicalExprAST>(expr);
    Ref lhs = eval(l.getLHS(), env);
    if (!lhs)
      return nullptr;
    if (isa<TensorObj>(*lhs))
      return error(l.getOpLoc(), "'" + getSpelling(l.getOp()) +
                                     "' of a tensor is not known at compile "
                                     "time");
    bool truth = isTruthy(*lhs);
    if (l.getOp() == LogicalOp::And ? !truth : truth)
      return lhs;
    return eval(l.getRHS(), env);
  }
  case ExprAST::Expr_Compare: {
    auto &c = cast<CompareExprAST>(expr);
    Ref lhs = eval(c.getLHS(), env);
    if (!lhs)
      return nullptr;
    Ref result = makeBool(true);
    for (const CompareLink &link : c.getLinks()) {
      Ref rhs = eval(*link.rhs, env);
      if (!rhs)
        return nullptr;
      result = evalCompare(link.op, lhs, rhs, link.opLoc);
      if (!result)
        return nullptr;
      if (!isTruthy(*result))
        return result;
      lhs = rhs;
    }
    return result;
  }
  case ExprAST::Expr_IfElse: {
    auto &i = cast<IfElseExprAST>(expr);
    Ref cond = eval(i.getCond(), env);
    if (!cond)
      return nullptr;
    if (isa<TensorObj>(*cond))
      return error(i.getCond().getLoc(),
                   "a tensor's value is not known at compile time");
    return eval(isTruthy(*cond) ? i.getThen() : i.getElse(), env);
  }
  case ExprAST::Expr_Call:
    return evalCall(cast<CallExprAST>(expr), env);
  case ExprAST::Expr_Attribute: {
    auto &a = cast<AttributeExprAST>(expr);
    Ref base = eval(a.getBase(), env);
    if (!base)
      return nullptr;
    return getAttr(base, a.getName(), a.getNameLoc());
  }
  case ExprAST::Expr_Subscript: {
    auto &s = cast<SubscriptExprAST>(expr);
    Ref base = eval(s.getBase(), env);
    if (!base)
      return nullptr;
    return evalSubscript(base, s.getIndex(), env, s.getLBracketLoc());
  }
  case ExprAST::Expr_Slice:
    return error(expr.getLoc(), "a slice is only valid inside []");
  case ExprAST::Expr_Lambda: {
    auto &l = cast<LambdaExprAST>(expr);
    auto fn = std::make_shared<FunctionObj>();
    fn->lambda = &l;
    fn->closure = env;
    fn->name = "<lambda>";
    for (const Param &p : l.getParams()) {
      Ref d;
      if (p.defaultValue && !(d = eval(*p.defaultValue, env)))
        return nullptr;
      fn->defaults.push_back(d);
    }
    return fn;
  }
  case ExprAST::Expr_Comprehension:
    return evalComprehension(cast<ComprehensionExprAST>(expr), env);
  case ExprAST::Expr_Yield:
    return evalYield(cast<YieldExprAST>(expr), env);
  }
  return error(expr.getLoc(), "unsupported expression");
}

bool Interpreter::runComprehension(const ComprehensionExprAST &comp,
                                   size_t index, const Ref &firstIterable,
                                   const EnvPtr &scope,
                                   const std::function<bool()> &emit) {
  const CompClause &clause = comp.getClauses()[index];
  Ref iterable = index == 0 ? firstIterable : eval(*clause.iterable, scope);
  if (!iterable)
    return false;
  Cursor cursor;
  if (!beginIteration(iterable, clause.iterable->getLoc(), cursor))
    return false;
  while (true) {
    Ref item;
    int got = nextItem(cursor, clause.iterable->getLoc(), item);
    if (got < 0)
      return false;
    if (got == 0)
      return true;
    if (!step(clause.forLoc) || !assign(*clause.target, item, scope))
      return false;
    bool keep = true;
    for (const ExprPtr &cond : clause.conditions) {
      Ref c = eval(*cond, scope);
      if (!c)
        return false;
      if (isa<TensorObj>(*c)) {
        error(cond->getLoc(), "a tensor's value is not known at compile "
                              "time, so it cannot filter a comprehension");
        return false;
      }
      if (!isTruthy(*c)) {
        keep = false;
        break;
      }
    }
    if (!keep)
      continue;
    if (index + 1 < comp.getClauses().size()) {
      if (!runComprehension(comp, index + 1, nullptr, scope, emit))
        return false;
    } else if (!emit()) {
      return false;
    }
  }
}

Ref Interpreter::evalComprehension(const ComprehensionExprAST &comp,
                                   const EnvPtr &env) {
  // The first iterable is evaluated where the comprehension is; the
  // variables live in its own scope, as in Python 3.
  Ref first = eval(*comp.getClauses().front().iterable, env);
  if (!first)
    return nullptr;
  auto scope = std::make_shared<Env>(env);
  switch (comp.getCompKind()) {
  case ComprehensionExprAST::List: {
    std::vector<Ref> out;
    bool ok = runComprehension(comp, 0, first, scope, [&] {
      Ref v = eval(comp.getElement(), scope);
      if (!v)
        return false;
      if (int64_t(out.size()) >= kMaxSequenceLength) {
        error(comp.getLoc(), "list comprehension too long");
        return false;
      }
      out.push_back(v);
      return true;
    });
    return ok ? makeList(std::move(out)) : nullptr;
  }
  case ComprehensionExprAST::Dict: {
    auto dict = std::make_shared<DictObj>();
    bool ok = runComprehension(comp, 0, first, scope, [&] {
      Ref k = eval(comp.getElement(), scope);
      if (!k)
        return false;
      if (k->kind == ObjKind::List || k->kind == ObjKind::Dict) {
        raise("TypeError", comp.getElement().getLoc(),
              "unhashable type: '" + typeName(*k) + "'");
        return false;
      }
      Ref v = eval(*comp.getValue(), scope);
      if (!v)
        return false;
      dict->set(k, v);
      return true;
    });
    return ok ? dict : nullptr;
  }
  case ComprehensionExprAST::Generator: {
    // Python calls iter() on the first iterable at once: a bad one is an
    // error here, not when the generator first runs.
    Ref firstIter =
        makeIterator(first, comp.getClauses().front().iterable->getLoc());
    if (!firstIter)
      return nullptr;
    const ComprehensionExprAST *ast = &comp;
    return makeGenerator(
        "<genexpr>", comp.getLoc(),
        [this, ast, firstIter, scope](Ref &) {
          bool ok = runComprehension(*ast, 0, firstIter, scope, [&] {
            Ref v = eval(ast->getElement(), scope);
            return v && yieldValue(v, ast->getElement().getLoc());
          });
          return ok ? Flow::Normal : Flow::Error;
        },
        nullptr, scope);
  }
  }
  return nullptr;
}

Ref Interpreter::evalBinary(BinaryOp op, const Ref &lhs, const Ref &rhs,
                            SMLoc opLoc) {
  auto unsupported = [&]() {
    return raise("TypeError", opLoc,
                 "unsupported operand type(s) for " + getSpelling(op) + ": '" +
                     typeName(*lhs) + "' and '" + typeName(*rhs) + "'");
  };

  // Tensor arithmetic builds graph ops (`shortcut + residual`, `x * 0.5`).
  if (isa<TensorObj>(*lhs) || isa<TensorObj>(*rhs))
    return tensorOperator(*this, op, lhs, rhs, opLoc);

  if (op == BinaryOp::Mod && isa<StrObj>(*lhs))
    return formatPercent(*this, cast<StrObj>(*lhs).value, rhs, opLoc);

  if (isNDArray(*lhs) || isNDArray(*rhs))
    return ndarrayBinary(*this, op, lhs, rhs, opLoc);

  if (isNumeric(*lhs) && isNumeric(*rhs)) {
    bool ints = isIntLike(*lhs) && isIntLike(*rhs);
    if (ints) {
      int64_t a = intValue(*lhs), b = intValue(*rhs);
      // Python would grow a big int; slimc's ints are int64.
      auto fits = [&](std::optional<int64_t> r) -> Ref {
        if (!r)
          return error(opLoc, "integer overflow in '" + getSpelling(op) + "'");
        return makeInt(*r);
      };
      switch (op) {
      case BinaryOp::Add:
        return fits(checked::add(a, b));
      case BinaryOp::Sub:
        return fits(checked::sub(a, b));
      case BinaryOp::Mul:
        return fits(checked::mul(a, b));
      case BinaryOp::Div:
        if (b == 0)
          return raise("ZeroDivisionError", opLoc, "division by zero");
        return makeFloat(double(a) / double(b));
      case BinaryOp::FloorDiv:
        if (b == 0)
          return raise("ZeroDivisionError", opLoc,
                       "integer division or modulo by zero");
        return fits(checked::floorDiv(a, b));
      case BinaryOp::Mod:
        if (b == 0)
          return raise("ZeroDivisionError", opLoc,
                       "integer division or modulo by zero");
        return makeInt(checked::floorMod(a, b));
      case BinaryOp::Pow:
        if (b < 0)
          return makeFloat(std::pow(double(a), double(b)));
        return fits(checked::pow(a, b));
      case BinaryOp::MatMul:
        return unsupported();
      }
    }
    double a = floatValue(*lhs), b = floatValue(*rhs);
    switch (op) {
    case BinaryOp::Add:
      return makeFloat(a + b);
    case BinaryOp::Sub:
      return makeFloat(a - b);
    case BinaryOp::Mul:
      return makeFloat(a * b);
    case BinaryOp::Div:
      if (b == 0)
        return raise("ZeroDivisionError", opLoc, "float division by zero");
      return makeFloat(a / b);
    case BinaryOp::FloorDiv:
      if (b == 0)
        return raise("ZeroDivisionError", opLoc, "float divmod()");
      return makeFloat(std::floor(a / b));
    case BinaryOp::Mod:
      if (b == 0)
        return raise("ZeroDivisionError", opLoc, "float modulo");
      return makeFloat(a - std::floor(a / b) * b);
    case BinaryOp::Pow:
      return makeFloat(std::pow(a, b));
    case BinaryOp::MatMul:
      return unsupported();
    }
  }

  if (op == BinaryOp::Add) {
    if (isa<StrObj>(*lhs) && isa<StrObj>(*rhs)) {
      std::string s = cast<StrObj>(*lhs).value + cast<StrObj>(*rhs).value;
      if (int64_t(s.size()) > kMaxSequenceLength)
        return error(opLoc, "string too long");
      if (!charge(opLoc, int64_t(s.size())))
        return nullptr;
      return makeStr(std::move(s));
    }
    if (lhs->kind == rhs->kind &&
        (lhs->kind == ObjKind::List || lhs->kind == ObjKind::Tuple)) {
      std::vector<Ref> items = cast<SeqObj>(*lhs).items;
      auto &more = cast<SeqObj>(*rhs).items;
      if (int64_t(items.size() + more.size()) > kMaxSequenceLength)
        return error(opLoc, "sequence too long");
      if (!charge(opLoc, int64_t(items.size() + more.size())))
        return nullptr;
      items.insert(items.end(), more.begin(), more.end());
      return lhs->kind == ObjKind::List ? makeList(std::move(items))
                                        : makeTuple(std::move(items));
    }
    if (isa<StrObj>(*lhs) || isa<StrObj>(*rhs))
      return raise("TypeError", opLoc,
                   "can only concatenate str (not \"" +
                       typeName(isa<StrObj>(*lhs) ? *rhs : *lhs) +
                       "\") to str");
  }
  if (op == BinaryOp::Mul) {
    const Ref *seq = nullptr, *count = nullptr;
    if (isIntLike(*rhs) && (isa<SeqObj>(*lhs) || isa<StrObj>(*lhs))) {
      seq = &lhs;
      count = &rhs;
    } else if (isIntLike(*lhs) && (isa<SeqObj>(*rhs) || isa<StrObj>(*rhs))) {
      seq = &rhs;
      count = &lhs;
    }
    if (seq) {
      int64_t n = std::max<int64_t>(intValue(**count), 0);
      int64_t len = isa<StrObj>(**seq) ? cast<StrObj>(**seq).value.size()
                                       : cast<SeqObj>(**seq).items.size();
      if (len && n > kMaxSequenceLength / len)
        return error(opLoc, "sequence repetition too long (over " +
                                llvm::Twine(kMaxSequenceLength) + " elements)");
      if (!charge(opLoc, n * len))
        return nullptr;
      if (auto *s = dyn_cast<StrObj>(seq->get())) {
        std::string out;
        for (int64_t i = 0; i < n; ++i)
          out += s->value;
        return makeStr(std::move(out));
      }
      auto &src = cast<SeqObj>(**seq);
      std::vector<Ref> items;
      for (int64_t i = 0; i < n; ++i)
        items.insert(items.end(), src.items.begin(), src.items.end());
      return src.kind == ObjKind::List ? makeList(std::move(items))
                                       : makeTuple(std::move(items));
    }
  }
  return unsupported();
}

Ref Interpreter::evalCompare(CompareOp op, const Ref &lhs, const Ref &rhs,
                             SMLoc opLoc) {
  switch (op) {
  case CompareOp::Is:
  case CompareOp::IsNot: {
    bool same = lhs.get() == rhs.get() ||
                (lhs->kind == ObjKind::None && rhs->kind == ObjKind::None) ||
                (isa<BoolObj>(*lhs) && isa<BoolObj>(*rhs) &&
                 cast<BoolObj>(*lhs).value == cast<BoolObj>(*rhs).value);
    return makeBool(op == CompareOp::Is ? same : !same);
  }
  case CompareOp::Eq:
  case CompareOp::NotEq: {
    if (isa<TensorObj>(*lhs) && isa<TensorObj>(*rhs) && lhs != rhs)
      return error(opLoc, "comparing tensors is not known at compile time");
    bool eq = valuesEqual(lhs, rhs);
    return makeBool(op == CompareOp::Eq ? eq : !eq);
  }
  case CompareOp::In:
  case CompareOp::NotIn: {
    bool found = false;
    if (auto *s = dyn_cast<StrObj>(rhs.get())) {
      auto *needle = dyn_cast<StrObj>(lhs.get());
      if (!needle)
        return error(opLoc, "'in <string>' requires string as left operand, "
                            "not " +
                                typeName(*lhs));
      found = s->value.find(needle->value) != std::string::npos;
    } else if (auto *d = dyn_cast<DictObj>(rhs.get())) {
      found = d->get(lhs) != nullptr;
    } else if (auto *seq = dyn_cast<SeqObj>(rhs.get())) {
      for (auto &item : seq->items)
        if (valuesEqual(item, lhs)) {
          found = true;
          break;
        }
    } else if (isa<InstanceObj>(*rhs) &&
               classOf(*rhs)->lookup("__contains__")) {
      Ref contains = getAttr(rhs, "__contains__", opLoc);
      Ref result = contains ? callWith(contains, opLoc, {lhs}) : nullptr;
      if (!result)
        return nullptr;
      found = isTruthy(*result);
    } else if (isa<GeneratorObj>(*rhs) || isa<IteratorObj>(*rhs) ||
               (isa<InstanceObj>(*rhs) && classOf(*rhs)->lookup("__iter__"))) {
      Cursor cursor;
      if (!beginIteration(rhs, opLoc, cursor))
        return nullptr;
      while (!found) {
        Ref item;
        int got = nextItem(cursor, opLoc, item);
        if (got < 0)
          return nullptr;
        if (got == 0)
          break;
        found = valuesEqual(item, lhs);
      }
    } else {
      return raise("TypeError", opLoc,
                   "argument of type '" + typeName(*rhs) + "' is not iterable");
    }
    return makeBool(op == CompareOp::In ? found : !found);
  }
  default:
    break;
  }
  // Ordering.
  int cmp = 0;
  if (isNumeric(*lhs) && isNumeric(*rhs)) {
    if (isIntLike(*lhs) && isIntLike(*rhs)) {
      int64_t a = intValue(*lhs), b = intValue(*rhs);
      cmp = a < b ? -1 : (a > b ? 1 : 0);
    } else {
      double a = floatValue(*lhs), b = floatValue(*rhs);
      cmp = a < b ? -1 : (a > b ? 1 : 0);
    }
  } else if (isa<StrObj>(*lhs) && isa<StrObj>(*rhs)) {
    cmp = cast<StrObj>(*lhs).value.compare(cast<StrObj>(*rhs).value);
    cmp = cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
  } else if (isa<SeqObj>(*lhs) && lhs->kind == rhs->kind) {
    // Sequences compare item by item, as Python does.
    auto &x = cast<SeqObj>(*lhs).items;
    auto &y = cast<SeqObj>(*rhs).items;
    size_t i = 0;
    while (i < x.size() && i < y.size() && valuesEqual(x[i], y[i]))
      ++i;
    if (i < x.size() && i < y.size())
      return evalCompare(op, x[i], y[i], opLoc);
    cmp = x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  } else {
    return raise("TypeError", opLoc,
                 "'" + getSpelling(op) +
                     "' not supported between instances of '" + typeName(*lhs) +
                     "' and '" + typeName(*rhs) + "'");
  }
  switch (op) {
  case CompareOp::Lt:
    return makeBool(cmp < 0);
  case CompareOp::LtE:
    return makeBool(cmp <= 0);
  case CompareOp::Gt:
    return makeBool(cmp > 0);
  case CompareOp::GtE:
    return makeBool(cmp >= 0);
  default:
    return nullptr;
  }
}

namespace {
/// Resolves a Python slice against a sequence of `len` elements.
void sliceIndices(int64_t len, std::optional<int64_t> lower,
                  std::optional<int64_t> upper, int64_t step,
                  std::vector<int64_t> &out) {
  auto clamp = [&](int64_t v, int64_t lo, int64_t hi) {
    if (v < 0)
      v += len;
    return std::min(std::max(v, lo), hi);
  };
  int64_t start, stop;
  if (step > 0) {
    start = lower ? clamp(*lower, 0, len) : 0;
    stop = upper ? clamp(*upper, 0, len) : len;
  } else {
    start = lower ? clamp(*lower, -1, len - 1) : len - 1;
    stop = upper ? clamp(*upper, -1, len - 1) : -1;
  }
  for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
    out.push_back(i);
    // A step that overflows int64 (l[::2**63 - 1]) has left the sequence.
    auto next = checked::add(i, step);
    if (!next)
      break;
    i = *next;
  }
}
} // namespace

Ref Interpreter::evalSubscript(const Ref &base, const ExprAST &index,
                               const EnvPtr &env, SMLoc loc) {
  // TF's basic indexing (slices, steps, `...`, ints, None) builds graph ops.
  if (isa<TensorObj>(*base))
    return subscriptTensor(*this, base, index, env, loc);
  if (auto *slice = dyn_cast<SliceExprAST>(&index)) {
    auto bound = [&](const ExprAST *e, std::optional<int64_t> &out) -> bool {
      if (!e)
        return true;
      Ref v = eval(*e, env);
      if (!v)
        return false;
      if (isNone(v))
        return true;
      if (!isIntLike(*v)) {
        error(e->getLoc(), "slice indices must be integers or None");
        return false;
      }
      out = intValue(*v);
      return true;
    };
    std::optional<int64_t> lower, upper, stepValue;
    if (!bound(slice->getLower(), lower) || !bound(slice->getUpper(), upper) ||
        !bound(slice->getStep(), stepValue))
      return nullptr;
    int64_t stride = stepValue.value_or(1);
    if (stride == 0)
      return error(loc, "slice step cannot be zero");
    std::vector<int64_t> indices;
    if (auto *s = dyn_cast<StrObj>(base.get())) {
      sliceIndices(s->value.size(), lower, upper, stride, indices);
      std::string out;
      for (int64_t i : indices)
        out += s->value[i];
      return makeStr(out);
    }
    if (auto *seq = dyn_cast<SeqObj>(base.get())) {
      sliceIndices(seq->items.size(), lower, upper, stride, indices);
      std::vector<Ref> out;
      for (int64_t i : indices)
        out.push_back(seq->items[i]);
      // A slice of a TensorShape is a TensorShape (`shape[1:3]` as a
      // kernel size that answers is_fully_defined()).
      if (isTensorShape(*seq))
        return makeTensorShapeOf(std::move(out));
      if (isNDArray(*seq))
        return markNDArray(makeList(std::move(out)), ndarrayDType(*seq));
      return seq->kind == ObjKind::List ? makeList(std::move(out))
                                        : makeTuple(std::move(out));
    }
    return error(loc, "'" + typeName(*base) + "' object is not subscriptable");
  }

  Ref key = eval(index, env);
  if (!key)
    return nullptr;
  if (isNDArray(*base))
    if (std::optional<Ref> item = ndarrayGetItem(*this, base, key, loc))
      return *item;
  if (auto *dict = dyn_cast<DictObj>(base.get())) {
    Ref v = dict->get(key);
    if (!v)
      return error(loc, "KeyError: " + reprValue(*key));
    return v;
  }
  if (isa<SeqObj>(*base) || isa<StrObj>(*base)) {
    if (!isIntLike(*key))
      return raise("TypeError", loc,
                   typeName(*base) +
                       " indices must be integers or "
                       "slices, not " +
                       typeName(*key));
    int64_t len = isa<StrObj>(*base) ? cast<StrObj>(*base).value.size()
                                     : cast<SeqObj>(*base).items.size();
    int64_t i = intValue(*key);
    if (i < 0)
      i += len;
    if (i < 0 || i >= len)
      return raise("IndexError", loc, typeName(*base) + " index out of range");
    if (auto *s = dyn_cast<StrObj>(base.get()))
      return makeStr(std::string(1, s->value[i]));
    return cast<SeqObj>(*base).items[i];
  }
  if (isa<InstanceObj>(*base) && classOf(*base)->lookup("__getitem__")) {
    Ref getItem = getAttr(base, "__getitem__", loc);
    return getItem ? callWith(getItem, loc, {key}) : nullptr;
  }
  return raise("TypeError", loc,
               "'" + typeName(*base) + "' object is not subscriptable");
}

bool Interpreter::deleteTarget(const ExprAST &target, const EnvPtr &env) {
  switch (target.getKind()) {
  case ExprAST::Expr_Name: {
    // Only the current scope's binding goes, as in Python (a global cannot
    // be deleted from inside a function without `global`).
    std::string name = cast<NameExprAST>(target).getName().str();
    if (!env->bindingEnv(name)->vars.erase(name)) {
      error(target.getLoc(), "NameError: name '" + name + "' is not defined");
      return false;
    }
    return true;
  }
  case ExprAST::Expr_Tuple:
  case ExprAST::Expr_List: {
    const ExprList &elements = target.getKind() == ExprAST::Expr_Tuple
                                   ? cast<TupleExprAST>(target).getElements()
                                   : cast<ListExprAST>(target).getElements();
    for (const ExprPtr &element : elements)
      if (!deleteTarget(*element, env))
        return false;
    return true;
  }
  case ExprAST::Expr_Attribute: {
    auto &attr = cast<AttributeExprAST>(target);
    Ref base = eval(attr.getBase(), env);
    if (!base)
      return false;
    if (!hasWritableAttrs(*base)) {
      error(attr.getNameLoc(), "cannot delete attribute '" + attr.getName() +
                                   "' of a " + typeName(*base) +
                                   " at compile time");
      return false;
    }
    if (!base->attrs.erase(attr.getName().str())) {
      error(attr.getNameLoc(), "AttributeError: '" + typeName(*base) +
                                   "' object has no attribute '" +
                                   attr.getName() + "'");
      return false;
    }
    return true;
  }
  case ExprAST::Expr_Subscript: {
    auto &sub = cast<SubscriptExprAST>(target);
    SMLoc loc = sub.getLBracketLoc();
    Ref base = eval(sub.getBase(), env);
    if (!base)
      return false;
    if (base->kind == ObjKind::List) {
      auto &items = cast<SeqObj>(*base).items;
      std::vector<int64_t> indices;
      if (auto *slice = dyn_cast<SliceExprAST>(&sub.getIndex())) {
        std::optional<int64_t> bounds[3];
        const ExprAST *exprs[3] = {slice->getLower(), slice->getUpper(),
                                   slice->getStep()};
        for (int i = 0; i < 3; ++i) {
          if (!exprs[i])
            continue;
          Ref v = eval(*exprs[i], env);
          if (!v)
            return false;
          if (isNone(v))
            continue;
          if (!isIntLike(*v)) {
            error(exprs[i]->getLoc(), "slice indices must be integers or None");
            return false;
          }
          bounds[i] = intValue(*v);
        }
        if (bounds[2] == 0) {
          error(loc, "slice step cannot be zero");
          return false;
        }
        sliceIndices(items.size(), bounds[0], bounds[1], bounds[2].value_or(1),
                     indices);
      } else {
        Ref key = eval(sub.getIndex(), env);
        if (!key)
          return false;
        if (!isIntLike(*key)) {
          error(loc, "list indices must be integers or slices, not " +
                         typeName(*key));
          return false;
        }
        int64_t i = intValue(*key);
        if (i < 0)
          i += items.size();
        if (i < 0 || i >= int64_t(items.size())) {
          error(loc, "IndexError: list assignment index out of range");
          return false;
        }
        indices.push_back(i);
      }
      // Erase from the back so that earlier indices stay valid.
      llvm::sort(indices);
      for (int64_t i : llvm::reverse(indices))
        items.erase(items.begin() + i);
      return true;
    }
    if (isa<SliceExprAST>(sub.getIndex())) {
      error(loc,
            "'" + typeName(*base) + "' object does not support item deletion");
      return false;
    }
    Ref key = eval(sub.getIndex(), env);
    if (!key)
      return false;
    if (auto *dict = dyn_cast<DictObj>(base.get())) {
      if (!dict->erase(key)) {
        error(loc, "KeyError: " + reprValue(*key));
        return false;
      }
      return true;
    }
    error(loc,
          "'" + typeName(*base) + "' object does not support item deletion");
    return false;
  }
  default:
    // The parser admits only the targets above.
    error(target.getLoc(), "cannot delete this expression");
    return false;
  }
}

/// An attribute found on `cls` for `self`: functions become bound methods,
/// anything else (a class attribute) is returned as is.
/// How a class attribute `value` found for `self` (an instance, or null
/// when looked up on the class `owner` itself) is bound, as Python's
/// descriptors do: functions and builtin methods bind `self`, classmethods
/// the class, staticmethods nothing; a property is called.
static Ref bindAttrValue(Interpreter &interp, const Ref &value, const Ref &self,
                         const Ref &owner, llvm::StringRef name, SMLoc loc) {
  if (!value)
    return nullptr;
  if (auto *desc = dyn_cast<DescriptorObj>(value.get())) {
    switch (desc->descKind) {
    case DescriptorObj::StaticMethod:
      return desc->function;
    case DescriptorObj::ClassMethod:
      return std::make_shared<BoundMethodObj>(owner, name.str(),
                                              desc->function);
    case DescriptorObj::Property:
      if (!self)
        return value;
      return interp.callWith(desc->function, loc, {self});
    }
  }
  if (!self)
    return value; // `Cls.method` is the plain function in Python 3
  auto *builtin = dyn_cast<BuiltinObj>(value.get());
  if (isa<FunctionObj>(*value) || (builtin && builtin->isMethod))
    return std::make_shared<BoundMethodObj>(self, name.str(), value);
  return value;
}

/// An attribute found on `cls` for `self`: functions become bound methods,
/// anything else (a class attribute) is returned as is.
static Ref bindClassAttr(Interpreter &interp, const Ref &self,
                         const ClassObj &cls, llvm::StringRef name, SMLoc loc) {
  Ref owner;
  if (auto *inst = dyn_cast<InstanceObj>(self.get()))
    owner = inst->cls;
  else if (auto *seq = dyn_cast<SeqObj>(self.get()))
    owner = seq->cls;
  return bindAttrValue(interp, cls.lookup(name), self, owner, name, loc);
}

/// `super(...).name`: the attribute of the first class after `cls` in the
/// chain of `self`'s class, bound to `self`.
static Ref superAttr(Interpreter &interp, SuperObj &sup, llvm::StringRef name,
                     SMLoc loc) {
  auto &start = cast<ClassObj>(*sup.cls);
  Ref owner = isa<ClassObj>(*sup.self) ? sup.self : nullptr;
  if (!owner) {
    if (auto *inst = dyn_cast<InstanceObj>(sup.self.get()))
      owner = inst->cls;
    else if (auto *seq = dyn_cast<SeqObj>(sup.self.get()))
      owner = seq->cls;
  }
  for (const ClassObj *c = start.base ? cast<ClassObj>(start.base.get())
                                      : nullptr;
       c; c = c->base ? cast<ClassObj>(c->base.get()) : nullptr) {
    auto it = c->attrs.find(name.str());
    if (it == c->attrs.end())
      continue;
    Ref self = isa<ClassObj>(*sup.self) ? nullptr : sup.self;
    return bindAttrValue(interp, it->second, self, owner, name, loc);
  }
  // object's own methods: __init__ takes nothing more.
  if (name == "__init__")
    return std::make_shared<BuiltinObj>(
        "__init__", [](Interpreter &in, CallArgs &args) -> Ref {
          if (!args.positional.empty() || !args.keywords.empty())
            return in.raise("TypeError", args.loc,
                            "object.__init__() takes exactly one argument "
                            "(the instance to initialize)");
          return makeNone();
        });
  return interp.raise("AttributeError", loc,
                      "'super' object has no attribute '" + name + "'");
}

Ref Interpreter::getAttr(const Ref &base, llvm::StringRef name, SMLoc loc) {
  auto it = base->attrs.find(name.str());
  if (it != base->attrs.end())
    return it->second;
  if (auto *sup = dyn_cast<SuperObj>(base.get()))
    return superAttr(*this, *sup, name, loc);
  if (auto *cls = dyn_cast<ClassObj>(base.get())) {
    // `Cls.attr` walks the bases; functions come back unbound (Python 3).
    if (Ref value = cls->lookup(name))
      return bindAttrValue(*this, value, nullptr, base, name, loc);
    if (name == "__name__")
      return makeStr(cls->name);
    if (name == "_fields" && cls->isNamedTuple) {
      std::vector<Ref> names;
      for (const std::string &f : cls->fields)
        names.push_back(makeStr(f));
      return makeTuple(std::move(names));
    }
    return raise("AttributeError", loc,
                 "type object '" + cls->name + "' has no attribute '" + name +
                     "'");
  }
  if (const ClassObj *cls = classOf(*base)) {
    if (auto *seq = dyn_cast<SeqObj>(base.get())) {
      for (size_t i = 0; i < cls->fields.size(); ++i)
        if (cls->fields[i] == name && i < seq->items.size())
          return seq->items[i];
      if (name == "_replace" || name == "_asdict")
        return std::make_shared<BoundMethodObj>(base, name.str());
      if (name == "_fields")
        return getAttr(seq->cls, name, loc);
    }
    if (cls->lookup(name))
      return bindClassAttr(*this, base, *cls, name, loc);
    if (name == "__class__")
      return isa<SeqObj>(*base) ? cast<SeqObj>(*base).cls
                                : cast<InstanceObj>(*base).cls;
    if (isa<InstanceObj>(*base)) {
      if (name == "__dict__") {
        auto dict = std::make_shared<DictObj>();
        for (auto &entry : base->attrs)
          dict->set(makeStr(entry.first), entry.second);
        return dict;
      }
      return raise("AttributeError", loc,
                   "'" + cls->name + "' object has no attribute '" + name +
                       "'");
    }
  }
  if (auto *mod = dyn_cast<ModuleObj>(base.get())) {
    // A missing attribute of TensorFlow's modules is something slimc does
    // not implement (a compile error); of a model module, Python's
    // AttributeError.
    bool isTF = llvm::StringRef(mod->name).starts_with("tf") ||
                llvm::StringRef(mod->name).starts_with("tensorflow");
    if (isTF)
      return error(loc, "module '" + mod->name + "' has no attribute '" + name +
                            "' supported by slimc (see "
                            "docs/language.md)");
    if (name == "__name__")
      return makeStr(mod->name);
    return raise("AttributeError", loc,
                 "module '" + mod->name + "' has no attribute '" + name + "'");
  }
  if (isa<GeneratorObj>(*base)) {
    for (const char *m : {"send", "throw", "close", "__next__", "__iter__"})
      if (name == m)
        return std::make_shared<BoundMethodObj>(base, name.str());
    return raise("AttributeError", loc,
                 "'generator' object has no attribute '" + name + "'");
  }
  if (isa<FunctionObj>(*base) || isa<BuiltinObj>(*base)) {
    if (name == "__name__") {
      if (auto *b = dyn_cast<BuiltinObj>(base.get()))
        return makeStr(b->name);
      return makeStr(cast<FunctionObj>(*base).name);
    }
    return raise("AttributeError", loc,
                 "function has no attribute '" + name + "'");
  }
  return getBuiltinAttr(*this, base, name, loc);
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

Ref Interpreter::evalCall(const CallExprAST &callExpr, const EnvPtr &env) {
  Ref callee = eval(callExpr.getCallee(), env);
  if (!callee)
    return nullptr;
  CallArgs args;
  args.loc = callExpr.getLoc();
  for (const CallArgument &a : callExpr.getArgs()) {
    Ref v = eval(*a.value, env);
    if (!v)
      return nullptr;
    switch (a.kind) {
    case CallArgument::Positional:
      args.positional.push_back({"", v, a.loc, SMLoc()});
      break;
    case CallArgument::Keyword:
      args.keywords.push_back({a.name.str(), v, a.loc, SMLoc()});
      break;
    case CallArgument::Star: {
      std::vector<Ref> items;
      if (!iterate(v, a.loc, items))
        return nullptr;
      for (Ref &item : items)
        args.positional.push_back({"", item, a.loc, SMLoc()});
      break;
    }
    case CallArgument::DoubleStar: {
      auto *dict = dyn_cast<DictObj>(v.get());
      if (!dict)
        return error(a.loc, "argument after ** must be a mapping, not " +
                                typeName(*v));
      for (auto &entry : dict->entries) {
        auto *key = dyn_cast<StrObj>(entry.first.get());
        if (!key)
          return error(a.loc, "keywords must be strings");
        if (args.findKeyword(key->value))
          return error(a.loc, "got multiple values for keyword argument '" +
                                  key->value + "'");
        args.keywords.push_back({key->value, entry.second, a.loc, SMLoc()});
      }
      break;
    }
    }
  }
  return call(callee, args);
}

Ref Interpreter::callWith(const Ref &callee, SMLoc loc,
                          std::vector<Ref> positional,
                          std::vector<std::pair<std::string, Ref>> keywords) {
  CallArgs args;
  args.loc = loc;
  for (Ref &p : positional)
    args.positional.push_back({"", p, loc, SMLoc()});
  for (auto &k : keywords)
    args.keywords.push_back({k.first, k.second, loc, SMLoc()});
  return call(callee, args);
}

Ref Interpreter::call(const Ref &callee, CallArgs &args) {
  if (!step(args.loc))
    return nullptr;
  // Generators dropped since the last statement or call are closed now,
  // close to where CPython closes them (when their refcount drops).
  if (!closeQueue.empty() && !runScheduledCloses())
    return nullptr;
  // TF-Slim's add_arg_scope: {**scope_defaults, **explicit_kwargs}.
  bool argScoped = false;
  if (auto *b = dyn_cast<BuiltinObj>(callee.get()))
    argScoped = b->argScoped;
  else if (auto *f = dyn_cast<FunctionObj>(callee.get()))
    argScoped = f->argScoped;
  if (argScoped) {
    if (const ScopedKwargs *defaults = currentArgScope()->find(callee.get())) {
      std::vector<Arg> merged;
      for (const Arg &d : defaults->kwargs) {
        if (args.findKeyword(d.name))
          continue;
        Arg a = d;
        a.scopeLoc = d.loc;
        a.loc = args.loc;
        merged.push_back(a);
      }
      merged.insert(merged.end(), args.keywords.begin(), args.keywords.end());
      args.keywords = std::move(merged);
    }
  }

  switch (callee->kind) {
  case ObjKind::Builtin:
    return cast<BuiltinObj>(*callee).fn(*this, args);
  case ObjKind::Function:
    return callFunction(callee, args);
  case ObjKind::BoundMethod:
    return callBoundMethod(cast<BoundMethodObj>(*callee), args);
  case ObjKind::Class:
    return instantiate(callee, args);
  case ObjKind::Instance: {
    auto &cls = cast<ClassObj>(*cast<InstanceObj>(*callee).cls);
    if (cls.lookup("__call__")) {
      Ref method = bindClassAttr(*this, callee, cls, "__call__", args.loc);
      return method ? call(method, args) : nullptr;
    }
    break;
  }
  case ObjKind::Descriptor: {
    // staticmethod objects are callable (Python 3.10).
    auto &desc = cast<DescriptorObj>(*callee);
    if (desc.descKind == DescriptorObj::StaticMethod)
      return call(desc.function, args);
    break;
  }
  case ObjKind::Exception: {
    auto &e = cast<ExceptionObj>(*callee);
    if (!e.isClass)
      break;
    // str(e) is its one argument, or the tuple of several (Python's
    // BaseException.__str__).
    std::vector<Ref> values;
    for (const Arg &a : args.positional)
      values.push_back(a.value);
    std::string message;
    if (values.size() == 1)
      message = strValue(*values[0]);
    else if (values.size() > 1)
      message = reprValue(*makeTuple(values));
    auto instance = std::make_shared<ExceptionObj>(e.type, message, false);
    instance->args = std::move(values);
    return instance;
  }
  default:
    break;
  }
  return raise("TypeError", args.loc,
               "'" + typeName(*callee) + "' object is not callable");
}

Ref Interpreter::callBoundMethod(BoundMethodObj &method, CallArgs &args) {
  if (auto *gen = dyn_cast<GeneratorObj>(method.self.get())) {
    if (method.name == "__iter__")
      return method.self;
    return callGeneratorMethod(*gen, method.name, args);
  }
  if (method.function) {
    args.positional.insert(args.positional.begin(),
                           {"", method.self, args.loc, SMLoc()});
    return call(method.function, args);
  }
  if (auto *seq = dyn_cast<SeqObj>(method.self.get()); seq && seq->cls) {
    auto &cls = cast<ClassObj>(*seq->cls);
    if (method.name == "_replace") {
      if (!args.positional.empty())
        return error(args.positional[0].loc,
                     "_replace() takes only keyword arguments");
      auto result = std::make_shared<SeqObj>(ObjKind::Tuple, seq->items);
      result->cls = seq->cls;
      for (const Arg &a : args.keywords) {
        auto field = llvm::find(cls.fields, a.name);
        if (field == cls.fields.end())
          return error(a.loc, "got unexpected field name '" + a.name + "'");
        result->items[field - cls.fields.begin()] = a.value;
      }
      return result;
    }
    if (method.name == "_asdict") {
      if (!args.positional.empty() || !args.keywords.empty())
        return error(args.loc, "_asdict() takes no arguments");
      auto dict = std::make_shared<DictObj>();
      for (size_t i = 0; i < cls.fields.size(); ++i)
        dict->set(makeStr(cls.fields[i]), seq->items[i]);
      return dict;
    }
  }
  return callMethod(*this, method.self, method.name, args);
}

Ref Interpreter::instantiate(const Ref &callee, CallArgs &args) {
  auto &cls = cast<ClassObj>(*callee);
  if (cls.isNamedTuple) {
    // namedtuple's __new__(cls, field0, field1, ...), with its defaults
    // applying to the last fields.
    size_t n = cls.fields.size();
    std::vector<Ref> items(n);
    if (args.positional.size() > n)
      return error(args.positional[n].loc,
                   cls.name + "() takes " + llvm::Twine(n) +
                       " positional arguments but " +
                       llvm::Twine(args.positional.size()) + " were given");
    for (size_t i = 0; i < args.positional.size(); ++i)
      items[i] = args.positional[i].value;
    for (const Arg &a : args.keywords) {
      auto field = llvm::find(cls.fields, a.name);
      if (field == cls.fields.end())
        return error(a.loc, cls.name +
                                "() got an unexpected keyword "
                                "argument '" +
                                a.name + "'");
      size_t i = field - cls.fields.begin();
      if (items[i])
        return error(a.loc, cls.name + "() got multiple values for argument '" +
                                a.name + "'");
      items[i] = a.value;
    }
    size_t firstDefault = n - cls.fieldDefaults.size();
    for (size_t i = 0; i < n; ++i) {
      if (items[i])
        continue;
      if (i >= firstDefault) {
        items[i] = cls.fieldDefaults[i - firstDefault];
        continue;
      }
      return error(args.loc, cls.name + "() missing required argument '" +
                                 cls.fields[i] + "'");
    }
    auto tuple = std::make_shared<SeqObj>(ObjKind::Tuple, std::move(items));
    tuple->cls = callee;
    return tuple;
  }
  auto instance = std::make_shared<InstanceObj>(callee);
  if (cls.lookup("__init__")) {
    Ref init = bindClassAttr(*this, instance, cls, "__init__", args.loc);
    if (!init)
      return nullptr;
    Ref result = call(init, args);
    if (!result)
      return nullptr;
    if (!isNone(result))
      return error(args.loc, "__init__() should return None, not '" +
                                 typeName(*result) + "'");
  } else if (!args.positional.empty() || !args.keywords.empty()) {
    return error(args.loc, cls.name + "() takes no arguments");
  }
  return instance;
}

/// Reports a keyword that came from an arg_scope and not from the call.
static void noteScopeOrigin(Interpreter &interp, const Arg &arg) {
  if (arg.scopeLoc.isValid())
    interp.note(arg.scopeLoc,
                "'" + arg.name + "' was supplied by this arg_scope");
}

EnvPtr Interpreter::bindParameters(FunctionObj &fn, CallArgs &args) {
  auto env = std::make_shared<Env>(fn.closure);
  env->def = fn.def;
  const std::vector<Param> &params = fn.params();
  std::vector<bool> bound(params.size(), false);

  size_t nextPositional = 0;
  std::vector<Ref> extraPositional;
  for (const Arg &a : args.positional) {
    while (nextPositional < params.size() &&
           params[nextPositional].kind != Param::Normal)
      ++nextPositional;
    if (nextPositional < params.size() &&
        params[nextPositional].kind == Param::Normal) {
      env->vars[params[nextPositional].name.str()] = a.value;
      bound[nextPositional] = true;
      ++nextPositional;
      continue;
    }
    extraPositional.push_back(a.value);
  }
  int varArgs = -1, kwArgs = -1;
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].kind == Param::VarArgs)
      varArgs = i;
    if (params[i].kind == Param::KwArgs)
      kwArgs = i;
  }
  if (!extraPositional.empty() && varArgs < 0) {
    size_t normal = 0;
    for (const Param &p : params)
      normal += p.kind == Param::Normal;
    raise("TypeError", args.positional[normal].loc,
          fn.name + "() takes " + llvm::Twine(normal) +
              " positional arguments but " +
              llvm::Twine(args.positional.size()) + " were given");
    return nullptr;
  }
  if (varArgs >= 0) {
    env->vars[params[varArgs].name.str()] = makeTuple(extraPositional);
    bound[varArgs] = true;
  }
  auto kwDict = std::make_shared<DictObj>();
  for (const Arg &a : args.keywords) {
    bool matched = false;
    for (size_t i = 0; i < params.size(); ++i) {
      const Param &p = params[i];
      if ((p.kind == Param::Normal || p.kind == Param::KeywordOnly) &&
          p.name == a.name) {
        if (bound[i]) {
          raise("TypeError", a.loc,
                fn.name + "() got multiple values for argument '" + a.name +
                    "'");
          noteScopeOrigin(*this, a);
          return nullptr;
        }
        env->vars[a.name] = a.value;
        bound[i] = true;
        matched = true;
        break;
      }
    }
    if (matched)
      continue;
    if (kwArgs < 0) {
      raise("TypeError", a.loc,
            fn.name + "() got an unexpected keyword argument '" + a.name + "'");
      noteScopeOrigin(*this, a);
      note(fn.nameLoc(), "'" + fn.name + "' is defined here");
      return nullptr;
    }
    kwDict->set(makeStr(a.name), a.value);
  }
  if (kwArgs >= 0) {
    env->vars[params[kwArgs].name.str()] = kwDict;
    bound[kwArgs] = true;
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (bound[i])
      continue;
    if (fn.defaults[i]) {
      env->vars[params[i].name.str()] = fn.defaults[i];
      continue;
    }
    raise("TypeError", args.loc,
          fn.name + "() missing required argument '" + params[i].name + "'");
    note(params[i].loc, "parameter declared here");
    return nullptr;
  }
  return env;
}

Ref Interpreter::callFunction(const Ref &callee, CallArgs &args) {
  auto &fn = cast<FunctionObj>(*callee);
  if (callStack.size() >= kMaxCallDepth)
    return error(args.loc, "maximum recursion depth exceeded (" +
                               llvm::Twine(kMaxCallDepth) +
                               " nested calls) in '" + fn.name + "'");
  EnvPtr env = bindParameters(fn, args);
  if (!env)
    return nullptr;

  if (fn.isGenerator()) {
    // Calling a generator function runs nothing yet: the body starts at
    // the first next().
    const FunctionDefAST *def = fn.def;
    Ref gen = makeGenerator(
        fn.name, args.loc,
        [this, def, env](Ref &result) {
          return execBlock(def->getBody(), env, result);
        },
        callee, env);
    return gen;
  }

  callStack.push_back({fn.name, args.loc, &fn, env});
  Ref result;
  Flow flow;
  if (fn.lambda) {
    result = eval(fn.lambda->getBody(), env);
    flow = result ? Flow::Return : Flow::Error;
  } else {
    flow = execBlock(fn.def->getBody(), env, result);
  }
  callStack.pop_back();
  if (flow == Flow::Error)
    return nullptr;
  if (flow == Flow::Return)
    return result;
  return makeNone();
}

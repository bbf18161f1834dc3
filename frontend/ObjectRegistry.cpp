//===- ObjectRegistry.cpp - Breaks the elaborator's reference cycles ------===//

#include "frontend/ObjectRegistry.h"

#include "frontend/Value.h"

#include <vector>

using namespace slim;
using llvm::dyn_cast;

namespace {
/// The current registry. Atomic-free: interpreters are made and destroyed
/// on the thread that runs them, and coroutine threads only read it while
/// that thread waits for them.
ObjectRegistry *currentRegistry = nullptr;

/// Moves `value` into `graveyard`, leaving `value` empty. Nothing is
/// destroyed while the registry is walked: destruction would unregister
/// objects (and free them) under the walk.
template <typename T>
void bury(std::vector<std::shared_ptr<void>> &graveyard, T &value) {
  graveyard.emplace_back(std::make_shared<T>(std::move(value)));
  value = T();
}

void empty(Object &o, std::vector<std::shared_ptr<void>> &graveyard) {
  bury(graveyard, o.attrs);
  if (auto *seq = dyn_cast<SeqObj>(&o)) {
    bury(graveyard, seq->items);
    bury(graveyard, seq->cls);
  } else if (auto *dict = dyn_cast<DictObj>(&o)) {
    bury(graveyard, dict->entries);
  } else if (auto *fn = dyn_cast<FunctionObj>(&o)) {
    bury(graveyard, fn->closure);
    bury(graveyard, fn->defaults);
  } else if (auto *builtin = dyn_cast<BuiltinObj>(&o)) {
    bury(graveyard, builtin->fn);
  } else if (auto *bound = dyn_cast<BoundMethodObj>(&o)) {
    bury(graveyard, bound->self);
    bury(graveyard, bound->function);
  } else if (auto *scope = dyn_cast<VarScopeObj>(&o)) {
    bury(graveyard, scope->initializer);
    bury(graveyard, scope->regularizer);
  } else if (auto *argScope = dyn_cast<ArgScopeObj>(&o)) {
    bury(graveyard, argScope->entries);
    bury(graveyard, argScope->keepAlive);
  } else if (auto *context = dyn_cast<ContextObj>(&o)) {
    bury(graveyard, context->enter);
    bury(graveyard, context->exit);
  } else if (auto *spec = dyn_cast<SpecObj>(&o)) {
    bury(graveyard, spec->parts);
  } else if (auto *exception = dyn_cast<ExceptionObj>(&o)) {
    bury(graveyard, exception->args);
  } else if (auto *cls = dyn_cast<ClassObj>(&o)) {
    bury(graveyard, cls->base);
    bury(graveyard, cls->fieldDefaults);
  } else if (auto *instance = dyn_cast<InstanceObj>(&o)) {
    bury(graveyard, instance->cls);
  } else if (auto *iterator = dyn_cast<IteratorObj>(&o)) {
    bury(graveyard, iterator->next);
  } else if (auto *super = dyn_cast<SuperObj>(&o)) {
    bury(graveyard, super->cls);
    bury(graveyard, super->self);
  } else if (auto *descriptor = dyn_cast<DescriptorObj>(&o)) {
    bury(graveyard, descriptor->function);
    bury(graveyard, descriptor->setter);
  }
}
} // namespace

ObjectRegistry::ObjectRegistry() : previous(currentRegistry) {
  currentRegistry = this;
}

ObjectRegistry::~ObjectRegistry() {
  if (currentRegistry == this)
    currentRegistry = previous;
  // Values held beyond the interpreter (a test's) outlive the registry.
  for (Object *o : objects)
    o->registry = nullptr;
  for (Env *e : envs)
    e->registry = nullptr;
}

ObjectRegistry *ObjectRegistry::current() { return currentRegistry; }

void ObjectRegistry::add(Object *object) {
  std::lock_guard<std::mutex> lock(mutex);
  objects.insert(object);
}

void ObjectRegistry::remove(Object *object) {
  std::lock_guard<std::mutex> lock(mutex);
  objects.erase(object);
}

void ObjectRegistry::add(Env *env) {
  std::lock_guard<std::mutex> lock(mutex);
  envs.insert(env);
}

void ObjectRegistry::remove(Env *env) {
  std::lock_guard<std::mutex> lock(mutex);
  envs.erase(env);
}

void ObjectRegistry::breakCycles() {
  std::vector<std::shared_ptr<void>> graveyard;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (Object *o : objects)
      empty(*o, graveyard);
    for (Env *e : envs) {
      bury(graveyard, e->vars);
      bury(graveyard, e->parent);
    }
  }
  // Now the references go, and with them everything only cycles held;
  // each destructor unregisters its object (taking the lock again).
  graveyard.clear();
}

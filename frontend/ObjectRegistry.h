//===- ObjectRegistry.h - Breaks the elaborator's reference cycles -*- C++
//-*-===//
//
// Values are reference counted (Value.h), and a model file's values form
// cycles as Python's do: a module's functions hold the module's globals,
// which hold the functions; tf.compat.v1 is tf; an instance can hold itself.
// Python's garbage collector frees those; reference counting alone never
// does, so every compile leaked them. The interpreter owns one registry;
// every Object and Env made while it is current registers itself, and at the
// end of elaboration breakCycles() empties them all, which frees every cycle.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_OBJECTREGISTRY_H
#define SLIM_FRONTEND_OBJECTREGISTRY_H

#include "llvm/ADT/DenseSet.h"

#include <mutex>

namespace slim {

struct Object;
struct Env;

class ObjectRegistry {
public:
  /// Becomes the current registry (the one new objects join) until it is
  /// destroyed, when the previous one is current again.
  ObjectRegistry();
  ~ObjectRegistry();
  ObjectRegistry(const ObjectRegistry &) = delete;
  ObjectRegistry &operator=(const ObjectRegistry &) = delete;

  /// The registry new objects join; null outside any interpreter.
  static ObjectRegistry *current();

  void add(Object *object);
  void remove(Object *object);
  void add(Env *env);
  void remove(Env *env);

  /// Drops every reference each registered object and environment holds
  /// (attributes, items, closures, captured state), so that no cycle keeps
  /// anything alive; values still held from outside survive, emptied.
  /// Only for the end of elaboration: no model code may run afterwards.
  void breakCycles();

private:
  /// Generators run on coroutine threads (strict turns), which make objects
  /// too; the lock keeps the sets consistent whichever thread runs.
  std::mutex mutex;
  llvm::DenseSet<Object *> objects;
  llvm::DenseSet<Env *> envs;
  ObjectRegistry *previous;
};

} // namespace slim

#endif // SLIM_FRONTEND_OBJECTREGISTRY_H

//===- Imports.cpp - import statements and module resolution --------------===//
//
// `import` and `from ... import` find modules as Python does, on a search
// path of the importing file's directory, then each -I directory:
//
//  * TensorFlow and TF-Slim (`tensorflow`, `tensorflow.compat.v1`,
//    `tf_slim`, `tensorflow.contrib.slim`, ...) and the standard-library
//    modules slimc provides (collections, functools, copy, contextlib,
//    math, six, os, numpy) are built in.
//  * A model module `a.b.c` is the file `a/b/c.slim` (or `.py`) or the
//    regular package `a/b/c/__init__.slim` (or `.py`) in the first search
//    directory that has one; otherwise a directory `a/b/c` on the path is a
//    namespace package. As a convenience for files saved without their
//    package directories, `c.slim` (or `.py`) found by its last name only
//    is the module when nothing else is.
//  * `from P import y` binds the attribute y of module P, or imports the
//    submodule `P.y` when P is a package (for P's attribute first when P
//    has an `__init__`). A module file has no submodules, as in Python;
//    only a module found by its last name may be a flattened package, so
//    its submodule is looked for first.
//  * `import a.b.c` binds `a`, with `b` and `c` reachable as attributes.
//
// Every file runs once (modules are cached by real path), with `__name__`
// set to its module name so its `if __name__ == '__main__':` block does not
// run; a circular import is an error.
//
//===----------------------------------------------------------------------===//

#include "frontend/Interpreter.h"
#include "frontend/Parser.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

/// Source file extensions of model modules, in order of preference.
static const char *const kExtensions[] = {".slim", ".py"};

/// The built-in module `dotted` (TensorFlow, TF-Slim, standard library), or
/// null for a model module.
Ref Interpreter::pythonModule(llvm::StringRef dotted) const {
  if (Ref mod = pythonStdModule(const_cast<Interpreter &>(*this), dotted))
    return mod;
  if (dotted == "tensorflow" || dotted == "tensorflow.compat.v1")
    return lookupKnown("module:tensorflow");
  if (dotted == "tf_slim" || dotted == "tensorflow.contrib.slim" ||
      dotted == "slim")
    return lookupKnown("module:slim");
  if (dotted == "tensorflow.contrib")
    return lookupKnown("module:contrib");
  if (dotted == "tf_slim.layers" || dotted == "tensorflow.contrib.layers")
    return lookupKnown("module:layers");
  return nullptr;
}

/// True for TensorFlow's own module paths, which are never model files.
static bool isTensorFlowPath(llvm::StringRef dotted) {
  return dotted == "tensorflow" || dotted == "tf_slim" ||
         dotted.starts_with("tensorflow.") || dotted.starts_with("tf_slim.");
}

bool Interpreter::rejectUnavailableModule(llvm::StringRef dotted, SMLoc loc) {
  static const char *unsupported[] = {"sys", "google3", "absl", "scipy"};
  for (const char *name : unsupported)
    if (dotted == name || dotted.starts_with(std::string(name) + ".")) {
      error(loc, "module '" + dotted +
                     "' is not available in slimc model files; slimc "
                     "provides tensorflow, tf_slim, collections, functools, "
                     "copy, contextlib, math, six, os.path, numpy (a "
                     "compile-time subset) and model files next to the "
                     "model or on -I paths");
      return true;
    }
  if (isTensorFlowPath(dotted)) {
    error(loc, "module '" + dotted +
                   "' is not supported by slimc (see "
                   "docs/language.md)");
    return true;
  }
  return false;
}

Interpreter::ModuleLocation Interpreter::findModelModule(llvm::StringRef dotted,
                                                         SMLoc loc) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  dotted.split(parts, '.');
  std::string relativeDir;
  for (size_t i = 0; i < parts.size(); ++i)
    relativeDir += (i ? "/" : "") + parts[i].str();

  std::vector<std::string> dirs;
  unsigned buffer = sourceMgr.FindBufferContainingLoc(loc);
  if (buffer) {
    llvm::StringRef importer =
        sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
    dirs.push_back(llvm::sys::path::parent_path(importer).str());
  }
  dirs.insert(dirs.end(), options.includeDirs.begin(),
              options.includeDirs.end());
  ModuleLocation where;
  for (const std::string &dir : dirs)
    where.searched += " " + (dir.empty() ? std::string(".") : dir);
  auto pathIn = [](const std::string &dir, const llvm::Twine &rest) {
    llvm::SmallString<256> path(dir.empty() ? "." : dir);
    llvm::sys::path::append(path, rest);
    return path.str().str();
  };

  // A module file or a regular package, at its package path, anywhere on
  // the path: Python's first choice.
  for (const std::string &dir : dirs) {
    for (const char *ext : kExtensions) {
      std::string file = pathIn(dir, relativeDir + ext);
      if (llvm::sys::fs::is_regular_file(file)) {
        where.file = file;
        return where;
      }
    }
    for (const char *ext : kExtensions) {
      std::string init = pathIn(dir, relativeDir + "/__init__" + ext);
      if (llvm::sys::fs::is_regular_file(init)) {
        where.file = init;
        where.isPackageInit = true;
        where.packageDir = pathIn(dir, relativeDir);
        return where;
      }
    }
  }
  // A namespace package: a directory of that name.
  for (const std::string &dir : dirs) {
    std::string path = pathIn(dir, relativeDir);
    if (llvm::sys::fs::is_directory(path)) {
      where.packageDir = path;
      return where;
    }
  }
  // The file by its last name, its package directories left out.
  if (parts.size() > 1) {
    for (const std::string &dir : dirs) {
      for (const char *ext : kExtensions) {
        std::string file = pathIn(dir, parts.back() + ext);
        if (llvm::sys::fs::is_regular_file(file)) {
          where.file = file;
          where.byLastName = true;
          return where;
        }
      }
    }
  }
  return where;
}

/// "pkg/extras.slim and extras.slim (or .py)" for messages.
static std::string candidates(llvm::StringRef dotted) {
  std::string relative = dotted.str();
  std::replace(relative.begin(), relative.end(), '.', '/');
  llvm::StringRef last = dotted.rsplit('.').second;
  if (last.empty())
    return relative + ".slim (or .py)";
  return relative + ".slim and " + last.str() + ".slim (or .py)";
}

Ref Interpreter::packageModule(llvm::StringRef dotted,
                               const ModuleLocation &where, SMLoc loc) {
  auto it = packages.find(dotted.str());
  if (it != packages.end())
    return it->second;
  Ref mod;
  if (where.isPackageInit) {
    mod = loadModelModule(dotted, where.file, loc);
    if (!mod)
      return nullptr;
  } else {
    // A namespace package (or one left implicit): an empty module whose
    // attributes are the submodules imported from it.
    mod = std::make_shared<ModuleObj>(dotted.str());
    mod->attrs["__name__"] = makeStr(dotted.str());
  }
  if (!where.packageDir.empty())
    mod->attrs["__path__"] = makeList({makeStr(where.packageDir)});
  packages[dotted.str()] = mod;
  linkSubmodule(dotted, mod);
  return mod;
}

void Interpreter::linkSubmodule(llvm::StringRef dotted, const Ref &module) {
  auto [parent, last] = dotted.rsplit('.');
  if (last.empty())
    return;
  auto it = packages.find(parent.str());
  if (it != packages.end())
    it->second->attrs[last.str()] = module;
}

Ref Interpreter::ensurePackage(llvm::StringRef dotted, SMLoc loc) {
  auto cached = packages.find(dotted.str());
  if (cached != packages.end())
    return cached->second;
  // Python imports the parent packages first (running their __init__).
  auto [parent, last] = dotted.rsplit('.');
  if (!last.empty() && !ensurePackage(parent, loc))
    return nullptr;
  ModuleLocation where = findModelModule(dotted, loc);
  if (where.isPackageInit || (where.file.empty() && !where.packageDir.empty()))
    return packageModule(dotted, where, loc);
  if (!where.file.empty() && !where.byLastName)
    return error(loc, "'" + dotted + "' is a module (" + where.file +
                          "), not a package");
  // No directory: a package left implicit (its modules were saved without
  // it, or are found by their last names).
  auto mod = std::make_shared<ModuleObj>(dotted.str());
  mod->attrs["__name__"] = makeStr(dotted.str());
  implicitPackages.insert(dotted.str());
  packages[dotted.str()] = mod;
  linkSubmodule(dotted, mod);
  return mod;
}

Ref Interpreter::importModelModule(llvm::StringRef dotted, SMLoc loc) {
  if (rejectUnavailableModule(dotted, loc))
    return nullptr;
  auto [parent, last] = dotted.rsplit('.');
  if (!last.empty() && !ensurePackage(parent, loc))
    return nullptr;
  auto cached = packages.find(dotted.str());
  if (cached != packages.end() && !implicitPackages.count(dotted.str()))
    return cached->second;
  ModuleLocation where = findModelModule(dotted, loc);
  if (where.isPackageInit || (where.file.empty() && !where.packageDir.empty()))
    return ensurePackage(dotted, loc);
  if (where.file.empty())
    return error(loc, "cannot find module '" + dotted + "' (looked for " +
                          candidates(dotted) + " in:" + where.searched +
                          "); add its directory with -I");
  Ref mod = loadModelModule(dotted, where.file, loc);
  if (mod)
    linkSubmodule(dotted, mod);
  return mod;
}

Flow Interpreter::execImport(const StmtAST &stmt, const EnvPtr &env) {
  auto resolve = [&](llvm::StringRef dotted, SMLoc loc) -> Ref {
    if (Ref mod = pythonModule(dotted))
      return mod;
    return importModelModule(dotted, loc);
  };

  if (auto *imp = dyn_cast<ImportStmtAST>(&stmt)) {
    for (const ImportAlias &alias : imp->getNames()) {
      llvm::StringRef dotted = alias.name;
      Ref leaf = resolve(dotted, alias.loc);
      if (!leaf)
        return Flow::Error;
      if (!alias.asName.empty()) {
        env->bindingEnv(alias.asName)->vars[alias.asName.str()] = leaf;
        continue;
      }
      // `import a.b.c` binds `a`; importing it made the packages on the
      // way, each with the next module as an attribute.
      llvm::StringRef head = dotted.split('.').first;
      Ref headModule = pythonModule(head);
      if (!headModule)
        headModule = head == dotted ? leaf : packages[head.str()];
      env->bindingEnv(head)->vars[head.str()] = headModule;
    }
    return Flow::Normal;
  }
  auto &from = cast<ImportFromStmtAST>(stmt);
  if (from.getModule() == "__future__")
    return Flow::Normal;
  if (from.getLevel() != 0) {
    error(from.getLoc(), "relative imports are not supported; use "
                         "`from nets import x` with -I");
    return Flow::Error;
  }
  if (!pythonModule(from.getModule()) && !isTensorFlowPath(from.getModule()))
    return execImportFromModelFile(from, env);
  Ref mod = resolve(from.getModule(), from.getModuleLoc());
  if (!mod)
    return Flow::Error;
  for (const ImportAlias &alias : from.getNames()) {
    Ref value = getAttr(mod, alias.name, alias.loc);
    if (!value)
      return Flow::Error;
    llvm::StringRef name =
        alias.asName.empty() ? llvm::StringRef(alias.name) : alias.asName;
    env->bindingEnv(name)->vars[name.str()] = value;
  }
  return Flow::Normal;
}

Flow Interpreter::execImportFromModelFile(const ImportFromStmtAST &from,
                                          const EnvPtr &env) {
  llvm::StringRef dotted = from.getModule();
  if (rejectUnavailableModule(dotted, from.getModuleLoc()))
    return Flow::Error;
  ModuleLocation where = findModelModule(dotted, from.getModuleLoc());
  // What P is: a module file (attributes only), a package (attributes,
  // then submodules), a file found by its last name (submodules first,
  // then its attributes), or nothing found (an implicit package).
  Ref mod;
  bool isFile = !where.file.empty() && !where.isPackageInit;
  if (isFile && !where.byLastName) {
    mod = importModelModule(dotted, from.getModuleLoc());
    if (!mod)
      return Flow::Error;
  } else if (where.isPackageInit || !where.packageDir.empty()) {
    mod = ensurePackage(dotted, from.getModuleLoc());
    if (!mod)
      return Flow::Error;
  }
  for (const ImportAlias &alias : from.getNames()) {
    llvm::StringRef name =
        alias.asName.empty() ? llvm::StringRef(alias.name) : alias.asName;
    Ref value;
    if (mod) {
      auto it = mod->attrs.find(alias.name);
      if (it != mod->attrs.end())
        value = it->second;
    }
    if (!value && isFile && !where.byLastName) {
      // A module file is not a package: no fallback to P/y (Python's
      // "cannot import name", also for names bound only in P's __main__
      // block, which an import does not run).
      error(alias.loc, "cannot import name '" + alias.name + "' from '" +
                           dotted + "' (" + where.file + ")");
      return Flow::Error;
    }
    if (!value) {
      std::string subName = (dotted + "." + alias.name).str();
      ModuleLocation sub = findModelModule(subName, alias.loc);
      if (!sub.file.empty() || !sub.packageDir.empty()) {
        value = importModelModule(subName, alias.loc);
        if (!value)
          return Flow::Error;
      } else if (where.byLastName) {
        // The flattened package's own file: its attribute.
        Ref fileModule =
            loadModelModule(dotted, where.file, from.getModuleLoc());
        if (!fileModule)
          return Flow::Error;
        auto it = fileModule->attrs.find(alias.name);
        if (it == fileModule->attrs.end()) {
          error(alias.loc, "cannot import name '" + alias.name + "' from '" +
                               dotted + "' (" + where.file + "; no module " +
                               candidates(subName) + " either)");
          return Flow::Error;
        }
        value = it->second;
      } else if (!where.packageDir.empty()) {
        error(alias.loc, "cannot import name '" + alias.name + "' from '" +
                             dotted + "' (directory " + where.packageDir +
                             "; looked for " + candidates(subName) +
                             " in:" + sub.searched + ")");
        return Flow::Error;
      } else {
        std::string dir = dotted.str();
        std::replace(dir.begin(), dir.end(), '.', '/');
        error(alias.loc, "cannot find module '" + subName + "' (looked for " +
                             dir + ".slim, " + candidates(subName) + " in:" +
                             sub.searched + "); add its directory with -I");
        return Flow::Error;
      }
    }
    env->bindingEnv(name)->vars[name.str()] = value;
  }
  return Flow::Normal;
}

Ref Interpreter::loadModelModule(llvm::StringRef dotted,
                                 const std::string &path, SMLoc loc) {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real))
    real = path;
  auto cached = loadedModules.find(real.str().str());
  if (cached != loadedModules.end()) {
    if (!cached->second)
      return error(loc, "circular import of '" + dotted + "'");
    return cached->second;
  }
  loadedModules[real.str().str()] = nullptr;

  auto bufferOr = llvm::MemoryBuffer::getFile(path);
  if (!bufferOr)
    return error(loc, "cannot read '" + path +
                          "': " + bufferOr.getError().message());
  unsigned id = sourceMgr.AddNewSourceBuffer(std::move(*bufferOr), loc);
  std::unique_ptr<ModuleAST> ast = parseModule(sourceMgr, id);
  if (!ast) {
    failReported();
    return nullptr;
  }
  // `__name__` is the module's name, so its `if __name__ == '__main__':`
  // entry block does not run, as in Python.
  auto env = std::make_shared<Env>(builtins);
  env->isModule = true;
  env->vars["__name__"] = makeStr(dotted.str());
  env->vars["__file__"] = makeStr(path);
  Ref ignored;
  ++importDepth;
  Flow flow = execBlock(ast->getBody(), env, ignored);
  --importDepth;
  importedASTs.push_back(std::move(ast));
  if (flow == Flow::Error)
    return nullptr;
  auto mod = std::make_shared<ModuleObj>(dotted.str());
  for (auto &entry : env->vars)
    mod->attrs[entry.first] = entry.second;
  loadedModules[real.str().str()] = mod;
  return mod;
}

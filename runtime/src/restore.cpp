//===- restore.cpp - Matching model variables to checkpoint tensors -------===//
//
// Name mismatches were the most common complaint of TF-Slim users restoring
// zoo checkpoints, so a failed match reports everything at once: missing,
// shape- or dtype-mismatched and unexpected names, and a hint when a scope
// prefix would line the names up or a scope filter matched nothing.
//
//===----------------------------------------------------------------------===//

#include "restore.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace slimrt {
namespace {

constexpr size_t kMaxListed = 40;

std::regex compileScope(const char *pattern, const char *what) {
  if (!pattern)
    fail(SLIM_STATUS_INVALID_ARGUMENT, what, " scope is null");
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error &e) {
    fail(SLIM_STATUS_INVALID_ARGUMENT, what, " scope '", pattern,
         "' is not a valid regular expression: ", e.what());
  }
}

/// Python's re.match(scope, var.name): anchored at the start only. TF
/// variable names carry ":0", which we append so patterns behave the same.
bool scopeMatches(const std::regex &re, const std::string &name) {
  std::string full = name + ":0";
  return std::regex_search(full, re, std::regex_constants::match_continuous);
}

/// Splits `a` and `b` at their longest common suffix that starts right after
/// a '/' (or at the start of a name), returning the differing prefixes.
bool commonScopeSuffix(const std::string &a, const std::string &b,
                       std::string &prefixA, std::string &prefixB) {
  size_t n = 0;
  while (n < a.size() && n < b.size() &&
         a[a.size() - 1 - n] == b[b.size() - 1 - n])
    ++n;
  // Shrink to a '/' boundary on both sides.
  while (n > 0) {
    size_t ia = a.size() - n, ib = b.size() - n;
    bool boundaryA = ia == 0 || a[ia - 1] == '/';
    bool boundaryB = ib == 0 || b[ib - 1] == '/';
    if (boundaryA && boundaryB)
      break;
    --n;
  }
  if (n == 0 || (n == a.size() && n == b.size()))
    return false;
  prefixA = a.substr(0, a.size() - n);
  prefixB = b.substr(0, b.size() - n);
  return true;
}

std::string describe(const std::string &name, int32_t dtype,
                     const std::vector<int64_t> &dims) {
  return cat(name, " ", shapeString(dims), " ", dtypeName(dtype));
}

void listSection(std::string &msg, const char *title,
                 const std::vector<std::string> &lines) {
  if (lines.empty())
    return;
  msg += cat("\n  ", title, " (", lines.size(), "):");
  for (size_t i = 0; i < lines.size() && i < kMaxListed; ++i)
    msg += "\n    " + lines[i];
  if (lines.size() > kMaxListed)
    msg += cat("\n    ... and ", lines.size() - kMaxListed, " more");
}

} // namespace

std::vector<RestoreAssignment>
planRestore(const std::vector<VariableSpec> &variables,
            const CheckpointReader &checkpoint,
            const slim_restore_options &options, const std::string &modelName) {
  if (options.num_include_scopes && !options.include_scopes)
    fail(SLIM_STATUS_INVALID_ARGUMENT, "include_scopes is null but ",
         options.num_include_scopes, " scopes are announced");
  if (options.num_exclude_scopes && !options.exclude_scopes)
    fail(SLIM_STATUS_INVALID_ARGUMENT, "exclude_scopes is null but ",
         options.num_exclude_scopes, " scopes are announced");
  std::string modelPrefix = options.model_prefix ? options.model_prefix : "";
  std::string ckptPrefix =
      options.checkpoint_prefix ? options.checkpoint_prefix : "";

  // Selection, exactly like get_variables_to_restore.
  std::vector<bool> selected(variables.size(), options.num_include_scopes == 0);
  std::vector<std::string> hints;
  auto unmatchedScopeHint = [&](const char *kind, const char *pattern) {
    std::string p = pattern;
    for (const VariableSpec &v : variables) {
      size_t pos = v.name.find("/" + p);
      if (pos != std::string::npos) {
        hints.push_back(cat(kind, " scope '", p,
                            "' matched no variable: scopes match from the "
                            "start of the name (like re.match); did you mean '",
                            v.name.substr(0, pos + 1), p, "'?"));
        return;
      }
    }
    hints.push_back(cat(kind, " scope '", p, "' matched no variable"));
  };
  for (size_t s = 0; s < options.num_include_scopes; ++s) {
    std::regex re = compileScope(options.include_scopes[s], "include");
    bool any = false;
    for (size_t i = 0; i < variables.size(); ++i)
      if (scopeMatches(re, variables[i].name))
        selected[i] = any = true;
    if (!any)
      unmatchedScopeHint("include", options.include_scopes[s]);
  }
  for (size_t s = 0; s < options.num_exclude_scopes; ++s) {
    std::regex re = compileScope(options.exclude_scopes[s], "exclude");
    bool any = false;
    for (size_t i = 0; i < variables.size(); ++i)
      if (scopeMatches(re, variables[i].name)) {
        selected[i] = false;
        any = true;
      }
    if (!any)
      unmatchedScopeHint("exclude", options.exclude_scopes[s]);
  }

  auto mapName = [&](const std::string &name) {
    if (!modelPrefix.empty() || !ckptPrefix.empty())
      if (startsWith(name, modelPrefix))
        return ckptPrefix + name.substr(modelPrefix.size());
    return name;
  };

  std::vector<RestoreAssignment> plan;
  std::vector<std::string> missing, mismatched, unexpected;
  std::vector<std::string> missingNames, unexpectedNames;
  std::set<std::string> usedNames; // Checkpoint names of any model variable.
  for (size_t i = 0; i < variables.size(); ++i) {
    const VariableSpec &v = variables[i];
    std::string ckName = mapName(v.name);
    usedNames.insert(ckName);
    usedNames.insert(v.name);
    if (!selected[i])
      continue;
    ptrdiff_t t = checkpoint.find(ckName);
    // Names outside the mapped scope (global_step next to 'vgg_16/...')
    // usually keep their name; accept that when the mapped one is absent.
    if (t < 0 && ckName != v.name && (t = checkpoint.find(v.name)) >= 0)
      ckName = v.name;
    std::string shown =
        ckName == v.name ? v.name : cat(v.name, " (as '", ckName, "')");
    if (t < 0) {
      missing.push_back(describe(shown, v.dtype, v.dims));
      missingNames.push_back(ckName);
      continue;
    }
    const TensorEntry &e = checkpoint.tensors()[size_t(t)];
    if (e.dims != v.dims || e.dtype != v.dtype) {
      mismatched.push_back(cat(shown, ": model ", shapeString(v.dims), " ",
                               dtypeName(v.dtype), ", checkpoint ",
                               shapeString(e.dims), " ", e.dtypeName));
      continue;
    }
    plan.push_back({i, size_t(t)});
  }
  for (const TensorEntry &e : checkpoint.tensors())
    if (!usedNames.count(e.name)) {
      unexpected.push_back(
          cat(e.name, " ", shapeString(e.dims), " ", e.dtypeName));
      unexpectedNames.push_back(e.name);
    }

  bool failMissing = !missing.empty() && !options.ignore_missing_vars;
  bool failUnexpected = !unexpected.empty() && options.error_on_unexpected;
  if (!failMissing && mismatched.empty() && !failUnexpected)
    return plan;

  // Vote for the prefix rewrite that explains the most missing names.
  std::map<std::pair<std::string, std::string>, size_t> votes;
  for (size_t m = 0; m < missingNames.size() && m < 2000; ++m) {
    std::set<std::pair<std::string, std::string>> seen;
    for (size_t u = 0; u < unexpectedNames.size() && u < 2000; ++u) {
      std::string pm, pu;
      if (commonScopeSuffix(missingNames[m], unexpectedNames[u], pm, pu) &&
          seen.insert({pm, pu}).second)
        ++votes[{pm, pu}];
    }
  }
  const std::pair<const std::pair<std::string, std::string>, size_t> *best =
      nullptr;
  for (const auto &v : votes)
    if (!best || v.second > best->second)
      best = &v;
  if (best && best->second * 2 >= missingNames.size()) {
    const std::string &pm = best->first.first, &pu = best->first.second;
    std::string what =
        pm.empty() ? cat("the checkpoint's names carry an extra scope prefix '",
                         pu, "'")
        : pu.empty() ? cat("the model's names carry an extra scope prefix '",
                           pm, "' that the checkpoint lacks")
                     : cat("the model's scope '", pm, "' is called '", pu,
                           "' in the checkpoint");
    hints.insert(hints.begin(),
                 cat(what, " (", best->second, " of ", missingNames.size(),
                     " missing variables); restore with model_prefix = \"",
                     modelPrefix + pm, "\" and checkpoint_prefix = \"",
                     ckptPrefix + pu, "\""));
  }

  std::string msg =
      cat("checkpoint '", checkpoint.path(), "' (", checkpoint.formatName(),
          ") does not match model '", modelName, "': ", missing.size(),
          " missing, ", mismatched.size(), " shape/dtype-mismatched, ",
          unexpected.size(), " unexpected");
  if (!failMissing && !missing.empty())
    msg += " (missing ones are ignored)";
  listSection(msg, "missing from the checkpoint", missing);
  listSection(msg, "shape or dtype mismatch", mismatched);
  listSection(msg, "in the checkpoint but not in the model", unexpected);
  for (const std::string &h : hints)
    msg += "\n  hint: " + h;
  fail(mismatched.empty() ? SLIM_STATUS_NOT_FOUND
                          : SLIM_STATUS_INVALID_ARGUMENT,
       msg);
}

} // namespace slimrt

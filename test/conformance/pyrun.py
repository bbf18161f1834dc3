"""Runs TF-Slim model files -- our .slim files and TF-Slim's own .py net files -- as Python under
the real TensorFlow (tf.compat.v1, graph mode) and tf_slim, unmodified.

Shared by check_zoo_py.py, seed.py and progcheck.py (check_original_nets.sh, features/). Run with
the reference venv's python (scripts/tf-venv.sh).

A file runs with its own `__import__`, which maps the import styles of model files onto what TF 2
has, and leaves every other import (six, math, functools, ...) to Python:

  import tensorflow as tf                       tf.compat.v1, plus `tf.contrib` (below)
  import tensorflow.compat.v1 as tf             the same module
  tf.contrib.slim, tf.contrib.framework,        tf_slim (which is what tf.contrib.slim became;
  tf.contrib.layers                             framework and layers fall back on it too)
  tf.contrib.training.HParams                   HParams below (TF 2 no longer has one)
  tf.contrib.util.constant_value                tf.get_static_value (the same function)
  from tensorflow.contrib import slim as s      the same, as module attributes
  import tf_slim as slim                        the real tf_slim
  import numpy as np                            numpy, with the np.int/np.float/... aliases
                                                that numpy 1.24 removed
  from nets import x, from nets.mobilenet       a model file: module `a.b` is `a/b.slim` or
  import x, import nets.x                       `a/b.py` in one of the search roots (the main
                                                file's directory first); a directory is a package

Every module is loaded once per run, in its own namespace (not sys.modules, so runs do not
share state). A top-level `tf.identity(x, name=...)` of the main file (not inside a function,
not in an imported file) names an output, as in slimc (docs/language.md); run_file returns
them by op name.
"""
import builtins
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tfnets  # noqa: E402
from tfnets import slim, tf  # noqa: E402  (tf is tensorflow.compat.v1)

import tensorflow as _tf2  # noqa: E402  (tf.compat.v2 etc.)


class HParams(object):
  """The part of tf.contrib.training.HParams that TF-Slim's nets use (NASNet, PNASNet): named
  hyperparameters set at construction or with add_hparam, read as attributes, changed with
  set_hparam / override_from_dict / parse, listed by values(), copied with copy.deepcopy. TF 2
  has no HParams, so the files' `tf.contrib.training.HParams(...)` needs this."""

  def __init__(self, hparam_def=None, model_structure=None, **kwargs):
    del hparam_def, model_structure  # protobuf forms, not used by the nets
    self._hparam_types = {}
    for name, value in kwargs.items():
      self.add_hparam(name, value)

  def add_hparam(self, name, value):
    if getattr(self, name, None) is not None:
      raise ValueError('Hyperparameter name is reserved: %s' % name)
    if isinstance(value, (list, tuple)):
      if not value:
        raise ValueError('Multi-valued hyperparameters cannot be empty: %s' % name)
      self._hparam_types[name] = (type(value[0]), True)
    else:
      self._hparam_types[name] = (type(value), False)
    setattr(self, name, value)

  def set_hparam(self, name, value):
    if name not in self._hparam_types:
      raise KeyError('Unknown hyperparameter: %s' % name)
    param_type, is_list = self._hparam_types[name]
    if isinstance(value, list) != is_list:
      raise ValueError('Must %spass a list for multi-valued parameter: %s' %
                       ('' if is_list else 'not ', name))
    setattr(self, name, value)

  def del_hparam(self, name):
    if name in self._hparam_types:
      delattr(self, name)
      del self._hparam_types[name]

  def override_from_dict(self, values_dict):
    for name, value in values_dict.items():
      self.set_hparam(name, value)
    return self

  def parse(self, values):
    """`name=value,...`; each value converted to the hyperparameter's type."""
    for item in filter(None, (s.strip() for s in values.split(','))):
      name, sep, text = item.partition('=')
      if not sep or name not in self._hparam_types:
        raise ValueError('Could not parse hparam %r' % item)
      param_type, _ = self._hparam_types[name]
      if param_type is bool:
        value = text.lower() in ('true', '1')
      else:
        value = param_type(text)
      self.set_hparam(name, value)
    return self

  def values(self):
    return {n: getattr(self, n) for n in self._hparam_types}

  def get(self, key, default=None):
    return getattr(self, key) if key in self._hparam_types else default

  def __contains__(self, key):
    return key in self._hparam_types

  def __repr__(self):
    return 'HParams(%s)' % ', '.join('%s=%r' % kv for kv in sorted(self.values().items()))


class Namespace(types.ModuleType):
  """A module whose attributes are its own, then those of `fallbacks`, in order."""

  def __init__(self, name, fallbacks=(), **attrs):
    super().__init__(name)
    self.__dict__.update(attrs)
    self.__dict__['_fallbacks'] = list(fallbacks)

  def __getattr__(self, attr):
    for f in self.__dict__['_fallbacks']:
      try:
        return getattr(f, attr)
      except AttributeError:
        pass
    raise AttributeError("module '%s' has no attribute '%s'" % (self.__name__, attr))


def tensorflow_module(identity=None):
  """The `tensorflow` a model file sees: tf.compat.v1 with `contrib` and `compat.v1` (itself).
  `identity` replaces tf.identity (run_file records outputs through it)."""
  contrib = Namespace(
      'tensorflow.contrib',
      slim=slim,
      layers=Namespace('tensorflow.contrib.layers', [slim, slim.layers]),
      framework=Namespace('tensorflow.contrib.framework', [slim, slim.ops]),
      training=Namespace('tensorflow.contrib.training', [slim.training], HParams=HParams),
      util=Namespace('tensorflow.contrib.util', [], constant_value=_tf2.get_static_value,
                     make_tensor_proto=_tf2.make_tensor_proto, make_ndarray=_tf2.make_ndarray))
  module = Namespace('tensorflow', [tf], contrib=contrib)
  module.compat = Namespace('tensorflow.compat', [_tf2.compat], v1=module)
  if identity is not None:
    module.identity = identity
  return module


def numpy_module():
  """numpy with the aliases of builtin types (np.int, np.float, ...) that numpy 1.24 removed
  and files of TF 1's era use (mobilenet_v3.py: `np.int(np.round(...))`)."""
  import numpy
  return Namespace('numpy', [numpy], int=int, float=float, bool=bool, object=object, str=str,
                   complex=complex)


# Deeper contrib paths that files import from, mapped onto tf_slim's modules.
CONTRIB_PATHS = {
    'tensorflow.contrib.framework.python.ops': lambda: slim.ops,
    'tensorflow.contrib.layers.python.layers': lambda: slim.layers,
    'tensorflow.contrib.slim.python.slim': lambda: slim,
}


class Run(object):
  """One execution of a main file: its module table, outputs and search roots."""

  def __init__(self, roots):
    self.roots = [os.path.abspath(r) for r in roots]
    self.modules = {}  # dotted name -> module (files and package directories)
    self.outputs = {}  # output name -> tensor, in the order named
    self.main_globals = None
    self.real_import = builtins.__import__
    self.builtins = dict(vars(builtins))
    self.builtins['__import__'] = self.import_
    self.tensorflow = tensorflow_module(self.identity)
    self.numpy = numpy_module()

  # -- outputs -------------------------------------------------------------------------------
  def identity(self, input, name=None):  # noqa: A002 -- tf.identity's signature
    t = tf.identity(input, name=name)
    caller = sys._getframe(1)
    if (name and caller.f_globals is self.main_globals and
        caller.f_code.co_name == '<module>'):
      # The op's name, which TensorFlow makes unique ignoring case ('logits' beside a
      # 'Logits' scope becomes 'logits_1'), as slimc names the output.
      self.outputs[t.op.name] = t
    return t

  # -- modules -------------------------------------------------------------------------------
  def find(self, dotted):
    """('file', path) or ('package', dir) for module `dotted`, or None."""
    parts = dotted.split('.')
    for root in self.roots:
      base = os.path.join(root, *parts)
      # A directory is a package before a file of the same name, as in Python.
      if os.path.isdir(base):
        return 'package', base
      for ext in ('.slim', '.py'):
        if os.path.isfile(base + ext):
          return 'file', base + ext
    return None

  def load(self, dotted):
    """The module `dotted` (loading its parent packages first), or None if not ours."""
    if dotted in self.modules:
      return self.modules[dotted]
    found = self.find(dotted)
    if found is None:
      return None
    parent = None
    if '.' in dotted:
      parent = self.load(dotted.rsplit('.', 1)[0])
    kind, path = found
    module = types.ModuleType(dotted)
    module.__dict__['__builtins__'] = self.builtins
    self.modules[dotted] = module
    if kind == 'package':
      module.__path__ = [path]
      # As Python does, a package runs its __init__ file, where there is one.
      path = next((os.path.join(path, '__init__' + ext) for ext in ('.slim', '.py')
                   if os.path.isfile(os.path.join(path, '__init__' + ext))), None)
    if path is not None:
      module.__file__ = path
      with open(path) as f:
        code = compile(f.read(), path, 'exec')
      exec(code, module.__dict__)
    if parent is not None:
      setattr(parent, dotted.rsplit('.', 1)[1], module)
    return module

  def import_(self, name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
    if level == 0 and (name == 'tensorflow' or name.startswith('tensorflow.')):
      return self.import_tensorflow(name, globals, locals, fromlist)
    if level == 0 and name == 'numpy':
      return self.numpy
    if level == 0 and name != 'tf_slim' and not name.startswith('tf_slim.'):
      module = self.load(name)
      if module is not None:
        for attr in fromlist or ():
          if not hasattr(module, attr) and hasattr(module, '__path__'):
            self.load(name + '.' + attr)
        return module if fromlist else self.modules[name.split('.')[0]]
    return self.real_import(name, globals, locals, fromlist, level)

  def import_tensorflow(self, name, globals, locals, fromlist):
    if name in CONTRIB_PATHS:
      leaf = CONTRIB_PATHS[name]()
      return leaf if fromlist else self.tensorflow
    leaf = self.tensorflow
    for part in name.split('.')[1:]:
      if part not in leaf.__dict__:
        # Not one of ours (tensorflow.python..., tensorflow.compat.v2): the real module.
        real = self.real_import(name, globals, locals, fromlist, 0)
        return real if fromlist else self.tensorflow
      leaf = leaf.__dict__[part]
    return leaf if fromlist else self.tensorflow

  # -- running -------------------------------------------------------------------------------
  def run_source(self, text, filename):
    env = {'__builtins__': self.builtins, '__name__': '__main__', '__file__': filename}
    self.main_globals = env
    exec(compile(text, filename, 'exec'), env)
    return env


def run_file(path, roots=()):
  """Executes model file `path` in the current default graph as Python's `__main__`, with
  imports searched in its directory and then `roots`. Returns the Run (outputs: name ->
  tensor of the file's top-level tf.identity calls; modules: what it imported)."""
  run = Run([os.path.dirname(os.path.abspath(path))] + list(roots))
  with open(path) as f:
    run.run_source(f.read(), path)
  return run


def run_source(text, filename, roots=()):
  """run_file for a program text (seed.py's snippets)."""
  run = Run(list(roots))
  run.run_source(text, filename)
  return run


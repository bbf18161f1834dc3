"""A helper module saved as .py."""


def double(x):
  return 2 * x

# The package marker of `nets` (a .py file: slimc reads .py modules too).

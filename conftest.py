"""Root of the test tree.

The folder ``gateway/`` holds the package ``gateway/gateway``. Under pytest's importlib mode a
test in ``gateway/tests`` would otherwise make pytest register the folder itself as a package
named ``gateway``, hiding the real one; importing the real package first prevents that.
"""

import gateway  # noqa: F401

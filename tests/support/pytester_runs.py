"""How the plugin's tests run their inner pytest sessions."""

from __future__ import annotations

# Plugins of this virtualenv the inner sessions do without: hypothesis's is imported again by
# each of them (pytester forgets the modules a session imported), which takes seconds.
QUICK = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

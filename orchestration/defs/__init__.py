"""One folder per integration, each with ``build_defs()`` returning a small ``Definitions``."""

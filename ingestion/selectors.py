"""JSONPath data selectors, compiled once per process: dlt's REST client compiles a selector given
as a string again for every page, which builds a parser each time and cost more than the page's
JSON parsing."""

from __future__ import annotations

from functools import cache

from dlt.common.jsonpath import compile_path
from jsonpath_ng import JSONPath


@cache
def selector(path: str) -> JSONPath:
    return compile_path(path)

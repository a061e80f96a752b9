"""Publication package of a run (measure 15): a static site and open-data sets.

``kadry publish OUTPUT [--site DIR]`` (interfaces.md). Modules: :mod:`~forecast.publish.read`
(the output folder read back), :mod:`~forecast.publish.html` (escaping, tables, page frame),
:mod:`~forecast.publish.charts` (inline SVG), :mod:`~forecast.publish.pages`,
:mod:`~forecast.publish.opendata` (guidelines v3.0), :mod:`~forecast.publish.site`.
"""

from __future__ import annotations

from forecast.publish.read import RunOutput, read_output
from forecast.publish.site import build_site, publish, publish_command

__all__ = ["publish", "publish_command", "build_site", "read_output", "RunOutput"]

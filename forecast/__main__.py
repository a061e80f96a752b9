"""``python -m forecast`` is the ``kadry`` command."""

from forecast.cli import main

raise SystemExit(main())

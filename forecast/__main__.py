"""``python -m forecast`` is the ``kadry`` command."""

from forecast.cli import main

if __name__ == "__main__":  # guarded so that pytest --doctest-modules can import this module
    raise SystemExit(main())

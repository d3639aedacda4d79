"""Entry point for ``python -m lorentznets.data.generate``."""

from lorentznets.data.generate.cli import main

raise SystemExit(main())

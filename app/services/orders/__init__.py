"""Order intake: commands (commands.py), placing (place.py), editing (edit.py), submission and
cancellation (lifecycle.py), what placing and editing share (intake.py, pricing.py), the batch
import (importing.py, import_sources.py) and reads (queries.py)."""

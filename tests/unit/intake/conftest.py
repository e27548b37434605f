"""Keep Hypothesis's caches out of the repository: they go to the system's temporary directory."""

import os
import tempfile

os.environ.setdefault(
	"HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "auto_service_crm-hypothesis")
)

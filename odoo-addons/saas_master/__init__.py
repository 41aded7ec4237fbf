from . import controllers  # noqa: F401
from . import models  # noqa: F401
from . import wizards  # noqa: F401

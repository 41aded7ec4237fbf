from . import controllers  # noqa: F401
from . import models  # noqa: F401
from . import wizards  # noqa: F401
from .hooks import post_init_hook  # noqa: F401

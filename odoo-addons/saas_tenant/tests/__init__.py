from . import test_user_limit  # noqa: F401
from . import test_bridge_user  # noqa: F401

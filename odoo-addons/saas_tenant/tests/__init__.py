from . import test_user_limit  # noqa: F401

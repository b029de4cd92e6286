"""The test run's environment, set before pytest-django reads the settings: pyproject.toml's
addopts load this module as a plugin, which pytest imports before that (a conftest comes after).

The tests run with DEBUG off, like a deployment, so the settings need a SECRET_KEY: a throwaway
one, unless the shell gives one. Processes the tests start (workers, manage.py) inherit it.
"""

import os
import secrets

if not os.environ.get("SECRET_KEY"):
    os.environ["SECRET_KEY"] = "tests-" + secrets.token_urlsafe(32)
